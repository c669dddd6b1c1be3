// Package flex decodes the JSON values WeCom sends in more than one
// spelling: a number that arrives as a numeric string in some answers, an
// id that arrives as a number, a boolean that arrives as 0/1. Every area
// package reads them through here, so there is one lenient decoder to fuzz.
package flex

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
)

// ParseInt reads a JSON number, a string holding one, null, "" or nothing
// (the last three as 0). A float such as 1700000000.0 keeps its integral
// part; NaN, infinities and values out of int64 range are errors.
func ParseInt(raw []byte) (int64, error) {
	b := bytes.TrimSpace(raw)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return 0, err
		}
		b = []byte(s)
	}
	if len(b) == 0 || string(b) == "null" {
		return 0, nil
	}
	n, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		x, ferr := strconv.ParseFloat(string(b), 64)
		if ferr != nil || math.IsNaN(x) || x >= math.MaxInt64 || x <= math.MinInt64 {
			return 0, fmt.Errorf("%q is not an integer in range", b)
		}
		n = int64(x)
	}
	return n, nil
}

// ParseString reads a JSON string, or a number as its text; null and
// nothing are "".
func ParseString(raw []byte) (string, error) {
	b := bytes.TrimSpace(raw)
	switch {
	case len(b) == 0 || string(b) == "null":
		return "", nil
	case b[0] == '"':
		var s string
		err := json.Unmarshal(b, &s)
		return s, err
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return "", fmt.Errorf("%s is neither a string nor a number", b)
	}
	return n.String(), nil
}

// ParseBool reads true/false, 1/0 (bare or quoted), null or "" (false).
func ParseBool(raw []byte) (bool, error) {
	switch string(bytes.TrimSpace(raw)) {
	case "true", "1", `"1"`, `"true"`:
		return true, nil
	case "false", "0", "null", `""`, `"0"`, `"false"`:
		return false, nil
	}
	return false, fmt.Errorf("%s is not a boolean", raw)
}

// Int is an int64 decoded with ParseInt.
type Int int64

// UnmarshalJSON implements json.Unmarshaler.
func (f *Int) UnmarshalJSON(b []byte) error {
	n, err := ParseInt(b)
	*f = Int(n)
	return err
}

// String is a string decoded with ParseString.
type String string

// UnmarshalJSON implements json.Unmarshaler.
func (f *String) UnmarshalJSON(b []byte) error {
	s, err := ParseString(b)
	*f = String(s)
	return err
}

// Bool is a bool decoded with ParseBool.
type Bool bool

// UnmarshalJSON implements json.Unmarshaler.
func (f *Bool) UnmarshalJSON(b []byte) error {
	v, err := ParseBool(b)
	*f = Bool(v)
	return err
}
