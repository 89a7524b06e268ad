// Command gen-api-docs writes the API reference (docs/api-reference.md) from
// the Go types of api/v1alpha1: one section per kind, and one table per
// struct type with each field's JSON name, type, whether it is required, its
// default, its validation and its doc comment (what `kubectl explain` shows).
// It reads the source with go/parser and go/doc; nothing is hand-written.
//
// Usage: gen-api-docs [--dir api/v1alpha1] [--out docs/api-reference.md]
package main

import (
	"flag"
	"fmt"
	"go/ast"
	"go/doc"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	dir := flag.String("dir", "api/v1alpha1", "`directory` of the API package")
	out := flag.String("out", "docs/api-reference.md", "`file` to write; - for stdout")
	flag.Parse()
	md, err := generate(*dir)
	if err == nil {
		err = write(*out, md)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen-api-docs:", err)
		os.Exit(1)
	}
}

func write(path string, data []byte) error {
	if path == "-" {
		_, err := os.Stdout.Write(data)
		return err
	}
	return os.WriteFile(path, data, 0o644)
}

// generate renders the reference of the API package in dir.
func generate(dir string) ([]byte, error) {
	pkg, err := load(dir)
	if err != nil {
		return nil, err
	}
	r := newRenderer(pkg)
	r.header()
	for _, kind := range r.kinds() {
		r.kind(kind)
	}
	r.types()
	r.enums()
	return r.buf.Bytes(), nil
}

// load parses the package's hand-written files (not generated code, not tests).
// os.ReadDir returns the entries sorted by name, so the output does not depend
// on the order of the directory.
func load(dir string) (*doc.Package, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", dir, err)
	}
	fset := token.NewFileSet()
	var files []*ast.File
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() || !strings.HasSuffix(n, ".go") || strings.HasSuffix(n, "_test.go") || strings.HasPrefix(n, "zz_generated") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, n), nil, parser.ParseComments)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", dir, err)
		}
		if len(files) > 0 && f.Name.Name != files[0].Name.Name {
			return nil, fmt.Errorf("parse %s: more than one package (%s, %s)", dir, files[0].Name.Name, f.Name.Name)
		}
		files = append(files, f)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no Go package in %s", dir)
	}
	return doc.NewFromFiles(fset, files, "github.com/lmsoperator/lms-operator/"+dir, doc.PreserveAST)
}
