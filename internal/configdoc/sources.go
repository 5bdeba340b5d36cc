package configdoc

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
)

// field is one struct field as the source declares it.
type field struct {
	doc      string // the doc comment, markers stripped
	typeName string // the named type it leads to, through pointers and slices
	array    bool   // a slice on the way: an array of tables when typeName is a struct
}

// sources maps "Type.Field" to the field, for every struct type declared at
// the top level of the package's non-test files.
type sources map[string]field

// parseSources reads the doc comments off the Go files in dir. Every
// exported field with a toml tag must have one, since it is a key's entry in
// the reference; all that lack one are named in the error.
func parseSources(dir string) (sources, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, fmt.Errorf("list config sources: %w", err)
	}
	src := sources{}
	var undocumented []string
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		text, err := os.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("read config source: %w", err)
		}
		f, err := parser.ParseFile(fset, name, text, parser.ParseComments)
		if err != nil {
			return nil, fmt.Errorf("parse config source: %w", err)
		}
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.TYPE {
				continue
			}
			for _, spec := range gd.Specs {
				ts := spec.(*ast.TypeSpec)
				st, ok := ts.Type.(*ast.StructType)
				if !ok {
					continue
				}
				undocumented = append(undocumented, addFields(src, ts.Name.Name, st)...)
			}
		}
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no Go files in %s", dir)
	}
	if len(undocumented) > 0 {
		sort.Strings(undocumented)
		return nil, fmt.Errorf("fields with a toml tag but no doc comment (the comment is the key's entry in docs/CONFIG.md): %s",
			strings.Join(undocumented, ", "))
	}
	return src, nil
}

// addFields records the fields of struct type typ and returns the tagged,
// exported ones that have no doc comment.
func addFields(src sources, typ string, st *ast.StructType) (undocumented []string) {
	for _, f := range st.Fields.List {
		doc := strings.TrimSpace(f.Doc.Text())
		tagged := hasTOMLKey(f.Tag)
		for _, n := range f.Names {
			name, array := namedType(f.Type)
			src[typ+"."+n.Name] = field{doc: doc, typeName: name, array: array}
			if tagged && n.IsExported() && doc == "" {
				undocumented = append(undocumented, typ+"."+n.Name)
			}
		}
	}
	return undocumented
}

func hasTOMLKey(tag *ast.BasicLit) bool {
	if tag == nil {
		return false
	}
	s, err := strconv.Unquote(tag.Value)
	if err != nil {
		return false
	}
	name, _, _ := strings.Cut(reflect.StructTag(s).Get("toml"), ",")
	return name != "" && name != "-"
}

// namedType follows pointers and slices to a type named in this package,
// saying whether a slice was among them.
func namedType(e ast.Expr) (name string, array bool) {
	for {
		switch t := e.(type) {
		case *ast.StarExpr:
			e = t.X
		case *ast.ArrayType:
			e, array = t.Elt, true
		case *ast.Ident:
			return t.Name, array
		default:
			return "", array
		}
	}
}

// lookup walks a Go field path such as "Build.Commands.Argv" from Config.
func (s sources) lookup(path string) (field, error) {
	typ := "Config"
	var f field
	for _, name := range strings.Split(path, ".") {
		var ok bool
		if f, ok = s[typ+"."+name]; !ok {
			return field{}, fmt.Errorf("field %s.%s (of %s) is not in the config sources", typ, name, path)
		}
		typ = f.typeName
	}
	return f, nil
}
