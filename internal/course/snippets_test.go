package course

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/build"
	"go/format"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// snippets are the functions a learner most wants to copy into coursework,
// and how many lines each may take with all it needs: the function and
// every declaration of its package it uses, transitively.
var snippets = []struct {
	program, function string
	most              int
}{
	{"01-tcp-time/server", "serveTCP", 80},
	{"01-tcp-time/client", "askTCP", 80},
	{"02-file-transfer/server", "serve", 250},
	{"02-file-transfer/client", "fetch", 400},
	{"03-image-download/client", "startWorkers", 80},
	{"03-image-download/client", "getPictures", 450},
	{"04-email/client", "send", 350},
	{"04-email/client", "writeAttachment", 60},
	{"05-sms/client", "submit", 100},
}

// edge names what a snippet must not drag along: -v's printers, which
// wrap the core where the program is put together.
var edge = []string{"tapConn", "tapListener", "tapClient", "tapServer",
	"tapTransport", "tapHandler"}

// TestSnippetsBuildAlone copies each snippet, with what it needs and no
// more, into a module of its own, and builds it: what the README's
// "Copy it into your coursework" promises. A program in which a learner
// has started a build-it exercise is theirs, and not held to it.
func TestSnippetsBuildAlone(t *testing.T) {
	module := t.TempDir()
	write(t, filepath.Join(module, "go.mod"), "module coursework\n\ngo 1.25\n")
	all := chapters(t, root)
	for i, s := range snippets {
		dir := filepath.Join(root, filepath.FromSlash(s.program))
		if started(all, filepath.Join(dir, "main.go")) != "" {
			continue // a learner's work on a build-it exercise: theirs
		}
		p := parseProgram(t, dir)
		need, lines := p.closure(s.function)
		if len(need) == 0 {
			t.Errorf("%s has no function %s", s.program, s.function)
			continue
		}
		if lines > s.most {
			t.Errorf("%s's %s takes %d lines with what it needs, want %d "+
				"at most", s.program, s.function, lines, s.most)
		}
		for _, name := range edge {
			if slices.ContainsFunc(need, func(d decl) bool {
				return slices.Contains(names(d.node), name)
			}) {
				t.Errorf("%s's %s needs %s, -v's printer: the core must "+
					"not know it", s.program, s.function, name)
			}
		}
		for name, src := range p.sources(t, need) {
			write(t, filepath.Join(module, fmt.Sprint("s", i), name), src)
		}
	}
	if entries, _ := os.ReadDir(module); len(entries) == 1 {
		return // only go.mod: every snippet is in a learner's work
	}
	cmd := exec.Command("go", "vet", "./...")
	cmd.Dir = module
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("the snippets do not build alone: %v\n%s", err, out)
	}
}

func write(tb testing.TB, path, text string) {
	tb.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		tb.Fatal(err)
	}
}

// pkg is a program's package: its top-level declarations, and what
// each name in them refers to.
type pkg struct {
	fset  *token.FileSet
	decls []decl
	uses  map[*ast.Ident]types.Object
}

// decl is one top-level declaration, with the file it is in.
type decl struct {
	node ast.Decl
	file *ast.File
	src  []byte
	recv string // for a method, its receiver's type name
}

// std type-checks the standard library once for every program.
var std = sync.OnceValue(func() types.Importer {
	return importer.ForCompiler(token.NewFileSet(), "source", nil)
})

func parseProgram(tb testing.TB, dir string) *pkg {
	tb.Helper()
	p := &pkg{fset: token.NewFileSet(), uses: map[*ast.Ident]types.Object{}}
	paths, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		tb.Fatal(err)
	}
	var files []*ast.File
	for _, path := range paths {
		match, err := build.Default.MatchFile(dir, filepath.Base(path))
		if err != nil {
			tb.Fatal(err)
		}
		if !match || strings.HasSuffix(path, "_test.go") {
			continue // not built on this system, or a test
		}
		src, err := os.ReadFile(path)
		if err != nil {
			tb.Fatal(err)
		}
		f, err := parser.ParseFile(p.fset, path, src, parser.ParseComments)
		if err != nil {
			tb.Fatal(err)
		}
		files = append(files, f)
		for _, d := range f.Decls {
			if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.IMPORT {
				continue
			}
			p.decls = append(p.decls, decl{node: d, file: f, src: src,
				recv: receiver(d)})
		}
	}
	conf := types.Config{Importer: std()}
	if _, err := conf.Check("main", p.fset, files, &types.Info{Uses: p.uses}); err != nil {
		tb.Fatalf("%s: %v", dir, err)
	}
	return p
}

// receiver is the name of a method's receiver type, or "".
func receiver(d ast.Decl) string {
	f, ok := d.(*ast.FuncDecl)
	if !ok || f.Recv == nil {
		return ""
	}
	t := f.Recv.List[0].Type
	if star, ok := t.(*ast.StarExpr); ok {
		t = star.X
	}
	if id, ok := t.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}

// declOf returns the declaration that declares obj, if it is the
// package's own and at its top level.
func (p *pkg) declOf(obj types.Object) (decl, bool) {
	if obj == nil || obj.Pkg() == nil || obj.Pkg().Path() != "main" {
		return decl{}, false
	}
	for _, d := range p.decls {
		if d.node.Pos() <= obj.Pos() && obj.Pos() < d.node.End() {
			return d, true
		}
	}
	return decl{}, false
}

// closure returns the declarations a function needs, itself first: each
// one a declaration in it uses, transitively, and their lines (what the
// READMEs count); and, to build, every method of their types too.
func (p *pkg) closure(function string) (need []decl, lines int) {
	var start []decl
	for _, d := range p.decls {
		if f, ok := d.node.(*ast.FuncDecl); ok && f.Name.Name == function {
			start = append(start, d)
		}
	}
	used := p.walk(start, false)
	for _, d := range used {
		lines += p.lines(d.node)
	}
	return p.walk(used, true), lines
}

// walk returns from and every declaration they use, transitively; with
// methods, every method of each type among them too.
func (p *pkg) walk(from []decl, methods bool) []decl {
	seen := map[ast.Decl]bool{}
	var all []decl
	add := func(d decl) {
		if !seen[d.node] {
			seen[d.node] = true
			all = append(all, d)
		}
	}
	for _, d := range from {
		add(d)
	}
	for i := 0; i < len(all); i++ {
		ast.Inspect(all[i].node, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok {
				if d, ok := p.declOf(p.uses[id]); ok {
					add(d)
				}
			}
			return true
		})
		if !methods {
			continue
		}
		for _, name := range names(all[i].node) {
			for _, d := range p.decls {
				if d.recv == name {
					add(d)
				}
			}
		}
	}
	return all
}

// sources returns, by file name, the files of package main that hold the
// declarations need, each in the file it comes from, with the imports
// they use; and a main if they have none.
func (p *pkg) sources(tb testing.TB, need []decl) map[string]string {
	tb.Helper()
	bodies := map[*ast.File]*bytes.Buffer{}
	imports := map[*ast.File]map[string]bool{}
	hasMain := false
	for _, d := range need {
		if bodies[d.file] == nil {
			bodies[d.file], imports[d.file] = new(bytes.Buffer), map[string]bool{}
		}
		start := p.fset.Position(d.node.Pos()).Offset
		end := p.fset.Position(d.node.End()).Offset
		bodies[d.file].Write(d.src[start:end])
		bodies[d.file].WriteString("\n\n")
		for _, spec := range d.file.Imports {
			if p.imports(d.node, spec) {
				imports[d.file][spec.Path.Value] = true
			}
		}
		hasMain = hasMain || slices.Contains(names(d.node), "main") && d.recv == ""
	}
	files := map[string]string{}
	for f, body := range bodies {
		var file bytes.Buffer
		file.WriteString("package main\n\nimport (\n")
		for _, path := range slices.Sorted(maps.Keys(imports[f])) {
			file.WriteString("\t" + path + "\n")
		}
		file.WriteString(")\n\n")
		file.Write(body.Bytes())
		out, err := format.Source(file.Bytes())
		if err != nil {
			tb.Fatalf("a file of the snippet does not parse: %v\n%s", err,
				file.Bytes())
		}
		files[filepath.Base(p.fset.Position(f.Pos()).Filename)] = string(out)
	}
	if !hasMain {
		files["main.go"] += "\nfunc main() {}\n"
		if !strings.HasPrefix(files["main.go"], "package") {
			files["main.go"] = "package main\n" + files["main.go"]
		}
	}
	return files
}

// imports reports whether a declaration uses the package an import
// names.
func (p *pkg) imports(d ast.Decl, spec *ast.ImportSpec) bool {
	used := false
	ast.Inspect(d, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok {
			if name, ok := p.uses[id].(*types.PkgName); ok &&
				strconv.Quote(name.Imported().Path()) == spec.Path.Value {
				used = true
			}
		}
		return !used
	})
	return used
}

// names are the names a declaration declares: a function's, a method's,
// each type's, constant's and variable's.
func names(d ast.Decl) []string {
	var ns []string
	switch d := d.(type) {
	case *ast.FuncDecl:
		ns = append(ns, d.Name.Name)
	case *ast.GenDecl:
		for _, s := range d.Specs {
			switch s := s.(type) {
			case *ast.TypeSpec:
				ns = append(ns, s.Name.Name)
			case *ast.ValueSpec:
				for _, n := range s.Names {
					ns = append(ns, n.Name)
				}
			}
		}
	}
	return ns
}

// lines is how many lines a declaration takes, its doc comment included.
func (p *pkg) lines(d ast.Decl) int {
	start := d.Pos()
	switch d := d.(type) {
	case *ast.FuncDecl:
		if d.Doc != nil {
			start = d.Doc.Pos()
		}
	case *ast.GenDecl:
		if d.Doc != nil {
			start = d.Doc.Pos()
		}
	}
	return p.fset.Position(d.End()).Line - p.fset.Position(start).Line + 1
}
