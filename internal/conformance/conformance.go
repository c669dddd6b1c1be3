// Package conformance checks the SDK's area packages against the house
// rules ("One dialect" in CONTRIBUTING.md) by parsing their source. Its
// test runs the checks over the real packages and over a deliberately
// broken package in testdata, which every rule must catch.
package conformance

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Rules names each rule the checker enforces, with what it asks.
var Rules = map[string]string{
	"doc-line":       "an exported method that takes a context names its endpoint in a `WeCom: METHOD /cgi-bin/...` doc line",
	"request-struct": "an exported method takes at most one input besides ctx and call options: more go in a *XxxRequest struct",
	"request-name":   "a method's request struct is named after the method (XxxRequest); AllXxx takes ListXxx's request",
	"request-param":  "a request struct is passed by pointer and the parameter is named req",
	"nil-request":    "a method taking *XxxRequest treats nil as the zero request (wire.Deref or a nil check)",
	"page-shape":     "a page method ListXxx(ctx, *Req) ([]T, next string, error) has an AllXxx(ctx, *Req) iter.Seq2[T, error] twin",
	"no-with":        "With... names configure a Client: area packages export no With... functions",
	"no-hand-error":  "area packages never build *wecom.Error by hand (wecom.ItemStatus.Err, the pipeline)",
	"arg-errors":     "errors are wrapped with %w or made with wecom.InvalidArgument; no errors.New / unwrapped fmt.Errorf",
	"time-helper":    "a time.Time helper of field XxxTime is the method XxxAt",
	"shared-types":   "an exported type is defined in one package only (twins share a small package)",
	"path-whole":     "an endpoint path is written whole, never built with +",
}

// Violation is one break of a rule.
type Violation struct {
	Rule string
	Pos  string // file:line
	Msg  string
}

func (v Violation) String() string { return fmt.Sprintf("%s: [%s] %s", v.Pos, v.Rule, v.Msg) }

// Package is one parsed package: its exported methods and types.
type Package struct {
	Name  string
	Dir   string
	fset  *token.FileSet
	files []*ast.File
}

// Load parses the non-test Go files of the package in dir.
func Load(dir string) (*Package, error) {
	fset := token.NewFileSet()
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	p := &Package{Dir: dir, fset: fset}
	for _, e := range ents {
		n := e.Name()
		if e.IsDir() || !strings.HasSuffix(n, ".go") || strings.HasSuffix(n, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, n), nil, parser.ParseComments)
		if err != nil {
			return nil, err
		}
		p.Name = f.Name.Name
		p.files = append(p.files, f)
	}
	if len(p.files) == 0 {
		return nil, fmt.Errorf("conformance: no Go files in %s", dir)
	}
	return p, nil
}

var weComLine = regexp.MustCompile(`(?m)^WeCom: (GET|POST) (/cgi-bin/\S+)`)

// Endpoint is an endpoint named in a doc line.
type Endpoint struct {
	Method, Path string
	Pos          string
}

// Endpoints returns every endpoint the package's doc lines name.
func (p *Package) Endpoints() []Endpoint {
	var out []Endpoint
	for _, f := range p.files {
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Doc == nil {
				continue
			}
			for _, m := range weComLine.FindAllStringSubmatch(fd.Doc.Text(), -1) {
				out = append(out, Endpoint{Method: m[1], Path: m[2], Pos: p.pos(fd.Pos())})
			}
		}
	}
	return out
}

func (p *Package) pos(pos token.Pos) string {
	ps := p.fset.Position(pos)
	return fmt.Sprintf("%s/%s:%d", p.Name, filepath.Base(ps.Filename), ps.Line)
}

// Check runs every rule over pkgs and returns the violations, sorted.
func Check(pkgs ...*Package) []Violation {
	var vs []Violation
	add := func(p *Package, rule string, pos token.Pos, format string, args ...any) {
		vs = append(vs, Violation{Rule: rule, Pos: p.pos(pos), Msg: fmt.Sprintf(format, args...)})
	}
	typeHome := map[string][]string{}
	for _, p := range pkgs {
		structs := p.structFields()
		methods := p.methods()
		shapes := p.shapes()
		for name := range structs {
			if ast.IsExported(name) && name != "Service" {
				typeHome[name+"\x00"+shapes[name]] = append(typeHome[name+"\x00"+shapes[name]], p.Name)
			}
		}
		for _, fd := range methods {
			p.checkMethod(fd, methods, structs, add)
		}
		for _, f := range p.files {
			for _, d := range f.Decls {
				if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil && strings.HasPrefix(fd.Name.Name, "With") && fd.Name.IsExported() {
					add(p, "no-with", fd.Pos(), "func %s", fd.Name.Name)
				}
			}
			p.checkBodies(f, add)
		}
	}
	for key, homes := range typeHome {
		name, _, _ := strings.Cut(key, "\x00")
		if len(homes) > 1 {
			sort.Strings(homes)
			vs = append(vs, Violation{Rule: "shared-types", Pos: strings.Join(homes, ","), Msg: "type " + name + " defined in " + strings.Join(homes, " and ")})
		}
	}
	sort.Slice(vs, func(i, j int) bool {
		if vs[i].Rule != vs[j].Rule {
			return vs[i].Rule < vs[j].Rule
		}
		return vs[i].Pos+vs[i].Msg < vs[j].Pos+vs[j].Msg
	})
	return vs
}

// Count tallies violations per rule, with every rule present.
func Count(vs []Violation) map[string]int {
	n := map[string]int{}
	for r := range Rules {
		n[r] = 0
	}
	for _, v := range vs {
		n[v.Rule]++
	}
	return n
}

type addFunc func(p *Package, rule string, pos token.Pos, format string, args ...any)

// structFields maps each struct type of the package to its field names.
func (p *Package) structFields() map[string]map[string]bool {
	out := map[string]map[string]bool{}
	for _, f := range p.files {
		for _, d := range f.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.TYPE {
				continue
			}
			for _, sp := range gd.Specs {
				ts := sp.(*ast.TypeSpec)
				fields := map[string]bool{}
				if st, ok := ts.Type.(*ast.StructType); ok {
					for _, fl := range st.Fields.List {
						for _, n := range fl.Names {
							fields[n.Name] = true
						}
					}
				}
				out[ts.Name.Name] = fields
			}
		}
	}
	return out
}

// shapes gives each type of the package a signature of its shape: the
// sorted field names of a struct, or the underlying type and the sorted
// names of its constants (without the type's name) for the rest. Two
// packages defining a type of one name and one shape define a twin.
func (p *Package) shapes() map[string]string {
	consts := map[string][]string{}
	out := map[string]string{}
	for _, f := range p.files {
		for _, d := range f.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok {
				continue
			}
			var last string
			for _, sp := range gd.Specs {
				switch x := sp.(type) {
				case *ast.ValueSpec:
					if gd.Tok != token.CONST {
						continue
					}
					if x.Type != nil {
						last = exprString(x.Type)
					}
					for _, n := range x.Names {
						consts[last] = append(consts[last], strings.TrimPrefix(n.Name, last))
					}
				case *ast.TypeSpec:
					if st, ok := x.Type.(*ast.StructType); ok {
						var fs []string
						for _, fl := range st.Fields.List {
							for _, n := range fl.Names {
								fs = append(fs, n.Name)
							}
							if len(fl.Names) == 0 {
								fs = append(fs, exprString(fl.Type))
							}
						}
						sort.Strings(fs)
						out[x.Name.Name] = "struct{" + strings.Join(fs, ",") + "}"
					} else {
						out[x.Name.Name] = exprString(x.Type)
					}
				}
			}
		}
	}
	for t, cs := range consts {
		if _, ok := out[t]; ok && !strings.HasPrefix(out[t], "struct{") {
			sort.Strings(cs)
			out[t] += "(" + strings.Join(cs, ",") + ")"
		}
	}
	return out
}

// methods maps "Recv.Name" to the exported methods of exported types.
func (p *Package) methods() map[string]*ast.FuncDecl {
	out := map[string]*ast.FuncDecl{}
	for _, f := range p.files {
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Recv == nil || !fd.Name.IsExported() {
				continue
			}
			recv := recvName(fd)
			if recv == "" || !ast.IsExported(recv) {
				continue
			}
			out[recv+"."+fd.Name.Name] = fd
		}
	}
	return out
}

func recvName(fd *ast.FuncDecl) string {
	t := fd.Recv.List[0].Type
	if s, ok := t.(*ast.StarExpr); ok {
		t = s.X
	}
	if id, ok := t.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}

func isCtx(e ast.Expr) bool {
	se, ok := e.(*ast.SelectorExpr)
	return ok && se.Sel.Name == "Context"
}

func exprString(e ast.Expr) string {
	switch t := e.(type) {
	case *ast.Ident:
		return t.Name
	case *ast.StarExpr:
		return "*" + exprString(t.X)
	case *ast.SelectorExpr:
		return exprString(t.X) + "." + t.Sel.Name
	case *ast.ArrayType:
		return "[]" + exprString(t.Elt)
	case *ast.IndexExpr:
		return exprString(t.X) + "[" + exprString(t.Index) + "]"
	case *ast.IndexListExpr:
		parts := make([]string, len(t.Indices))
		for i, x := range t.Indices {
			parts[i] = exprString(x)
		}
		return exprString(t.X) + "[" + strings.Join(parts, ", ") + "]"
	case *ast.Ellipsis:
		return "..." + exprString(t.Elt)
	case *ast.MapType:
		return "map[" + exprString(t.Key) + "]" + exprString(t.Value)
	case *ast.FuncType:
		return "func"
	case *ast.InterfaceType:
		return "interface{}"
	case *ast.ChanType:
		return "chan " + exprString(t.Value)
	}
	return fmt.Sprintf("%T", e)
}

type param struct {
	name string
	typ  ast.Expr
}

func params(fd *ast.FuncDecl) []param {
	var out []param
	for _, fl := range fd.Type.Params.List {
		if len(fl.Names) == 0 {
			out = append(out, param{"", fl.Type})
		}
		for _, n := range fl.Names {
			out = append(out, param{n.Name, fl.Type})
		}
	}
	return out
}

func results(fd *ast.FuncDecl) []string {
	var out []string
	if fd.Type.Results == nil {
		return nil
	}
	for _, fl := range fd.Type.Results.List {
		k := len(fl.Names)
		if k == 0 {
			k = 1
		}
		for i := 0; i < k; i++ {
			out = append(out, exprString(fl.Type))
		}
	}
	return out
}

func (p *Package) checkMethod(fd *ast.FuncDecl, methods map[string]*ast.FuncDecl, structs map[string]map[string]bool, add addFunc) {
	name, recv := fd.Name.Name, recvName(fd)
	ps := params(fd)
	res := results(fd)

	// time-helper: func (x T) NameAt() time.Time needs field NameTime.
	if len(ps) == 0 && len(res) == 1 && res[0] == "time.Time" {
		base, ok := strings.CutSuffix(name, "At")
		if !ok || !structs[recv][base+"Time"] {
			add(p, "time-helper", fd.Pos(), "%s.%s() time.Time: want XxxAt() for a field XxxTime", recv, name)
		}
	}

	if len(ps) == 0 || !isCtx(ps[0].typ) {
		return
	}
	if fd.Doc == nil || !weComLine.MatchString(fd.Doc.Text()) {
		add(p, "doc-line", fd.Pos(), "%s.%s has no `WeCom: METHOD /cgi-bin/...` doc line", recv, name)
	}
	inputs := ps[1:]
	if n := len(inputs); n > 0 {
		if _, ok := inputs[n-1].typ.(*ast.Ellipsis); ok {
			inputs = inputs[:n-1]
		}
	}
	if n := len(inputs); n > 1 {
		if _, ok := inputs[n-1].typ.(*ast.FuncType); ok {
			inputs = inputs[:n-1] // a callback that receives the results is not an input
		}
	}
	if len(inputs) > 1 {
		var ts []string
		for _, in := range inputs {
			ts = append(ts, in.name+" "+exprString(in.typ))
		}
		add(p, "request-struct", fd.Pos(), "%s.%s takes %d inputs (%s): use a *%sRequest", recv, name, len(inputs), strings.Join(ts, ", "), name)
	}
	if len(inputs) == 0 {
		if isPage(res) {
			add(p, "page-shape", fd.Pos(), "%s.%s is a page method without a request", recv, name)
		}
		return
	}
	in := inputs[0]
	reqType := ""
	switch t := in.typ.(type) {
	case *ast.StarExpr:
		if id, ok := t.X.(*ast.Ident); ok && strings.HasSuffix(id.Name, "Request") {
			reqType = id.Name
		}
	case *ast.Ident:
		if strings.HasSuffix(t.Name, "Request") {
			add(p, "request-param", fd.Pos(), "%s.%s takes %s by value: pass *%s", recv, name, t.Name, t.Name)
			reqType = t.Name
		} else if _, isStruct := structs[t.Name]; isStruct && len(structs[t.Name]) > 1 {
			add(p, "request-param", fd.Pos(), "%s.%s takes the struct %s by value as its request: pass a *%sRequest", recv, name, t.Name, name)
		}
	}
	if isPage(res) && reqType == "" {
		add(p, "page-shape", fd.Pos(), "%s.%s is a page method whose input is not a *XxxRequest", recv, name)
	}
	if reqType == "" {
		return
	}
	want := name + "Request"
	if rest, ok := strings.CutPrefix(name, "All"); ok {
		want = "List" + rest + "Request"
		if _, has := methods[recv+".List"+rest]; !has {
			want = name + "Request"
		}
	}
	if reqType != want && reqType != name+"Request" && !sharesEndpoint(fd, recv, reqType, methods) {
		add(p, "request-name", fd.Pos(), "%s.%s takes %s: want %s", recv, name, reqType, want)
	}
	if in.name != "req" {
		add(p, "request-param", fd.Pos(), "%s.%s names its request %q: want req", recv, name, in.name)
	}
	if !handlesNil(fd.Body, in.name) {
		add(p, "nil-request", fd.Pos(), "%s.%s does not treat a nil %s as the zero request", recv, name, in.name)
	}
	if rest, ok := strings.CutPrefix(name, "List"); ok && isPage(res) {
		all, has := methods[recv+".All"+rest]
		switch {
		case !has:
			add(p, "page-shape", fd.Pos(), "%s.%s has no All%s iterator", recv, name, rest)
		default:
			aps := params(all)
			if len(aps) < 2 || exprString(aps[1].typ) != "*"+reqType {
				add(p, "page-shape", all.Pos(), "%s.All%s does not take %s's request *%s", recv, rest, name, reqType)
			}
		}
	}
}

// sharesEndpoint reports whether another method of recv whose request is
// reqType by name (its own XxxRequest) calls an endpoint fd names too: a
// page method and its iterator, or a method and its page variant, share
// one request (BatchGetCustomers and AllCustomersOf, GetCustomer and
// GetCustomerPage).
func sharesEndpoint(fd *ast.FuncDecl, recv, reqType string, methods map[string]*ast.FuncDecl) bool {
	owner, ok := methods[recv+"."+strings.TrimSuffix(reqType, "Request")]
	if !ok || fd.Doc == nil || owner.Doc == nil {
		return false
	}
	mine := map[string]bool{}
	for _, m := range weComLine.FindAllStringSubmatch(fd.Doc.Text(), -1) {
		mine[m[2]] = true
	}
	for _, m := range weComLine.FindAllStringSubmatch(owner.Doc.Text(), -1) {
		if mine[m[2]] {
			return true
		}
	}
	return false
}

// isPage reports whether results look like ([]T, string, error).
func isPage(res []string) bool {
	return len(res) == 3 && strings.HasPrefix(res[0], "[]") && res[1] == "string" && res[2] == "error"
}

// handlesNil reports whether body dereferences name through wire.Deref,
// compares it with nil, or hands it on to another call (which then must).
func handlesNil(body *ast.BlockStmt, name string) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.BinaryExpr:
			if (x.Op == token.EQL || x.Op == token.NEQ) && (isIdent(x.X, name) && isIdent(x.Y, "nil") || isIdent(x.Y, name) && isIdent(x.X, "nil")) {
				found = true
			}
		case *ast.CallExpr:
			for _, a := range x.Args {
				if isIdent(a, name) {
					found = true
				}
			}
		}
		return !found
	})
	return found
}

func isIdent(e ast.Expr, name string) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == name
}

func (p *Package) checkBodies(f *ast.File, add addFunc) {
	ast.Inspect(f, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.GenDecl:
			// A package-level var is a sentinel (var ErrX = errors.New(...)):
			// allowed, so its values are not inspected as calls.
			if x.Tok == token.VAR {
				return false
			}
		case *ast.CompositeLit:
			if se, ok := x.Type.(*ast.SelectorExpr); ok && se.Sel.Name == "Error" && isIdent(se.X, "wecom") {
				add(p, "no-hand-error", x.Pos(), "builds a wecom.Error literal")
			}
		case *ast.CallExpr:
			se, ok := x.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			switch {
			case isIdent(se.X, "errors") && se.Sel.Name == "New":
				add(p, "arg-errors", x.Pos(), "errors.New: use wecom.InvalidArgument or wrap a cause")
			case isIdent(se.X, "fmt") && se.Sel.Name == "Errorf" && len(x.Args) > 0:
				if lit, ok := x.Args[0].(*ast.BasicLit); ok {
					if s, err := strconv.Unquote(lit.Value); err == nil && !strings.Contains(s, "%w") {
						add(p, "arg-errors", x.Pos(), "fmt.Errorf(%q) wraps nothing: use wecom.InvalidArgument or %%w", s)
					}
				}
			}
		case *ast.BinaryExpr:
			if x.Op == token.ADD && (isPathLit(x.X) || isPathLit(x.Y)) {
				add(p, "path-whole", x.Pos(), "an endpoint path built with +")
			}
		}
		return true
	})
}

func isPathLit(e ast.Expr) bool {
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return false
	}
	s, err := strconv.Unquote(lit.Value)
	return err == nil && strings.HasPrefix(s, "/cgi-bin/")
}
