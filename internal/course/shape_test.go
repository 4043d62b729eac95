package course

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// What a reader takes in at once.
const (
	mostFileLines = 300 // in one file of a program
	mostFuncLines = 70  // in one function
	mostParams    = 4   // of any function but run
)

// TestProgramsStaySmall keeps the programs readable from top to bottom:
// files and functions a reader takes in at once, and parameter lists a
// reader holds in mind. A program in which a learner has started a
// build-it exercise is theirs, and not held to it.
func TestProgramsStaySmall(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join(root, "0*", "*", "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	all := chapters(t, root)
	for _, path := range paths {
		if strings.HasSuffix(path, "_test.go") || started(all, path) != "" {
			continue
		}
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Count(string(src), "\n")
		if lines > mostFileLines {
			t.Errorf("%s is %d lines, want %d at most: split it by what "+
				"its parts hold", path, lines, mostFileLines)
		}
		f, err := parser.ParseFile(fset, path, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok {
				continue
			}
			n := fset.Position(fn.End()).Line - fset.Position(fn.Pos()).Line + 1
			if n > mostFuncLines {
				t.Errorf("%s: %s is %d lines, want %d at most", path,
					fn.Name.Name, n, mostFuncLines)
			}
			if p := fn.Type.Params.NumFields(); p > mostParams && fn.Name.Name != "run" {
				t.Errorf("%s: %s takes %d parameters, want %d at most: "+
					"gather what belongs together in a struct", path,
					fn.Name.Name, p, mostParams)
			}
		}
	}
}
