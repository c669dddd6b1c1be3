package wecom

import (
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/google/go-querystring/query"
)

// encodeQuery turns Request.Query into a raw query string. Most endpoints
// take a flat struct of strings and numbers; those are encoded from a
// cached plan of their fields, without building url.Values. Everything
// else goes through go-querystring. Both give the same string: keys
// sorted, as url.Values.Encode writes them.
func encodeQuery(q any) (string, error) {
	switch v := q.(type) {
	case nil:
		return "", nil
	case url.Values:
		return v.Encode(), nil
	case string:
		return "", errors.New("pass url.Values or a struct, not a string")
	}
	rv := reflect.ValueOf(q)
	if rv.Kind() == reflect.Pointer && !rv.IsNil() {
		rv = rv.Elem()
	}
	if rv.Kind() == reflect.Struct {
		if p := planFor(rv.Type()); p != nil {
			return p.encode(rv), nil
		}
	}
	vals, err := query.Values(q)
	if err != nil {
		return "", err
	}
	return vals.Encode(), nil
}

// queryPlan is how a flat struct encodes: its fields sorted by query name.
type queryPlan struct {
	fields []queryField
}

type queryField struct {
	index     int
	raw       string // the key, for sorting as url.Values.Encode does
	name      string // the key, query-escaped
	omitempty bool
}

var queryPlans sync.Map // reflect.Type -> *queryPlan (nil: use go-querystring)

func planFor(t reflect.Type) *queryPlan {
	if p, ok := queryPlans.Load(t); ok {
		return p.(*queryPlan)
	}
	p := buildPlan(t)
	queryPlans.Store(t, p)
	return p
}

var (
	encoderType  = reflect.TypeOf((*query.Encoder)(nil)).Elem()
	stringerType = reflect.TypeOf((*fmt.Stringer)(nil)).Elem()
	errorType    = reflect.TypeOf((*error)(nil)).Elem()
)

// buildPlan returns nil for any struct the fast path would not encode
// exactly as go-querystring does: embedded structs, pointers, slices,
// floats, times, tag options other than omitempty, types with their own
// encoding or String method, repeated names.
func buildPlan(t reflect.Type) *queryPlan {
	if t.Implements(encoderType) || reflect.PointerTo(t).Implements(encoderType) {
		return nil
	}
	p := &queryPlan{}
	seen := map[string]bool{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.PkgPath != "" && !f.Anonymous {
			continue // unexported: go-querystring skips it too
		}
		tag := f.Tag.Get("url")
		if tag == "-" {
			continue
		}
		if f.Anonymous || !plainKind(f.Type) {
			return nil
		}
		name, opts, _ := strings.Cut(tag, ",")
		if opts != "" && opts != "omitempty" {
			return nil
		}
		if name == "" {
			name = f.Name
		}
		if seen[name] {
			return nil
		}
		seen[name] = true
		p.fields = append(p.fields, queryField{index: i, raw: name, name: url.QueryEscape(name), omitempty: opts == "omitempty"})
	}
	sort.SliceStable(p.fields, func(a, b int) bool { return p.fields[a].raw < p.fields[b].raw })
	return p
}

func plainKind(t reflect.Type) bool {
	if t.Implements(encoderType) || t.Implements(stringerType) || t.Implements(errorType) ||
		reflect.PointerTo(t).Implements(stringerType) || reflect.PointerTo(t).Implements(errorType) {
		return false // fmt.Sprint would call the method
	}
	switch t.Kind() {
	case reflect.String, reflect.Bool,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return true
	}
	return false
}

func (p *queryPlan) encode(v reflect.Value) string {
	var b strings.Builder
	var num [24]byte
	for _, f := range p.fields {
		fv := v.Field(f.index)
		if f.omitempty && fv.IsZero() {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('&')
		} else {
			b.Grow(64)
		}
		b.WriteString(f.name)
		b.WriteByte('=')
		switch fv.Kind() {
		case reflect.String:
			b.WriteString(url.QueryEscape(fv.String()))
		case reflect.Bool:
			b.WriteString(strconv.FormatBool(fv.Bool()))
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			b.Write(strconv.AppendInt(num[:0], fv.Int(), 10))
		default:
			b.Write(strconv.AppendUint(num[:0], fv.Uint(), 10))
		}
	}
	return b.String()
}
