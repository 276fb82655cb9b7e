// Command gen writes the generated parts of script/symbols: one yaegi symbol
// file per bundled package (with yaegi's extract library, so the files are
// exactly what `yaegi extract` produces), the Packages table
// (packages_gen.go) and the gzipped API documentation read by
// script/complete (apidoc/apidoc.json.gz).
//
// Run it through `go generate` in script/symbols.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"go/format"
	"io"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"github.com/traefik/yaegi/extract"

	"github.com/gonote/gonote/script/symbols/apidoc"
)

// thirdParty are the bundled packages of other modules. Each must exist.
var thirdParty = []string{
	"gonum.org/v1/gonum/mat",
	"gonum.org/v1/gonum/stat",
	"gonum.org/v1/gonum/floats",
	"gonum.org/v1/gonum/stat/distuv",
	"gonum.org/v1/gonum/optimize",
	"gonum.org/v1/gonum/integrate",
	"gonum.org/v1/plot",
	"gonum.org/v1/plot/plotter",
	"gonum.org/v1/plot/plotutil",
	"gonum.org/v1/plot/vg",
	"gonum.org/v1/plot/vg/draw",
	"gonum.org/v1/plot/vg/vgimg",
	"gonum.org/v1/plot/vg/vgsvg",
	"gonum.org/v1/plot/text",
	"gonum.org/v1/plot/font",
}

// ownPatterns select the packages of this module that cells can import.
// Packages that do not compile yet are reported and skipped; internal and
// main packages are never bundled.
var ownPatterns = []string{
	"github.com/gonote/gonote/display",
	"github.com/gonote/gonote/plotting",
	"github.com/gonote/gonote/stdlib/...",
}

// stdDocumented are the standard library packages whose documentation is
// embedded (their symbols come from yaegi's stdlib package) and which are
// listed in Packages with Std set.
var stdDocumented = []string{
	"bufio", "bytes", "cmp", "context", "encoding/binary", "encoding/csv", "encoding/json",
	"errors", "flag", "fmt", "hash/fnv", "image", "image/color", "image/draw", "image/png",
	"io", "io/fs", "log", "maps", "math", "math/big", "math/bits", "math/cmplx", "math/rand/v2",
	"net/http", "os", "os/exec", "path", "path/filepath", "regexp", "runtime", "slices",
	"sort", "strconv", "strings", "sync", "sync/atomic", "text/tabwriter", "text/template",
	"time", "unicode", "unicode/utf8",
}

// listed is the subset of `go list -json` output the generator uses.
type listed struct {
	ImportPath string
	Name       string
	Dir        string
	Doc        string
	GoFiles    []string
	Standard   bool
	Error      *struct{ Err string }
	DepsErrors []*struct{ Err string }
}

var fromHead = flag.Bool("head", true, "generate from the committed tree (HEAD) of this module rather than the working tree")

func main() {
	out := flag.String("out", ".", "directory for the symbol files and packages_gen.go")
	docs := flag.String("docs", "apidoc/apidoc.json.gz", "output file of the gzipped API documentation")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("symbols/gen: ")
	if err := run(*out, *docs); err != nil {
		log.Fatal(err)
	}
}

func run(out, docsFile string) error {
	var err error
	if out, err = filepath.Abs(out); err != nil {
		return err
	}
	if docsFile, err = filepath.Abs(docsFile); err != nil {
		return err
	}
	if *fromHead {
		cleanup, err := snapshotHead()
		if err != nil {
			return err
		}
		defer cleanup()
	}
	third, err := goList(thirdParty...)
	if err != nil {
		return err
	}
	for _, p := range third {
		if p.Error != nil {
			return fmt.Errorf("bundled package %s: %s", p.ImportPath, p.Error.Err)
		}
	}
	own, err := goList(ownPatterns...)
	if err != nil {
		return err
	}
	var bundled []listed
	bundled = append(bundled, third...)
	for _, p := range own {
		switch {
		case p.Name == "main" || strings.Contains(p.ImportPath, "/internal/") || strings.HasSuffix(p.ImportPath, "/internal"):
			continue
		case p.Error != nil:
			log.Printf("SKIPPED %s (does not build): %s", p.ImportPath, firstLine(p.Error.Err))
			continue
		case len(p.DepsErrors) > 0:
			log.Printf("SKIPPED %s (a dependency does not build): %s", p.ImportPath, firstLine(p.DepsErrors[0].Err))
			continue
		case len(p.GoFiles) == 0:
			continue
		}
		bundled = append(bundled, p)
	}

	ext := extract.Extractor{Dest: "symbols"}
	var extracted []listed
	files := map[string][]byte{} // written only once every package extracted
	for _, p := range bundled {
		var buf bytes.Buffer
		if _, err := ext.Extract(p.ImportPath, "", &buf); err != nil {
			if strings.HasPrefix(p.ImportPath, "github.com/gonote/gonote/") {
				log.Printf("SKIPPED %s (does not type-check): %s", p.ImportPath, firstLine(err.Error()))
				continue
			}
			return fmt.Errorf("extract %s: %w", p.ImportPath, err)
		}
		name := strings.NewReplacer("/", "-", ".", "_", "~", "_").Replace(p.ImportPath) + ".go"
		files[name] = buf.Bytes()
		extracted = append(extracted, p)
		log.Printf("extracted %s", p.ImportPath)
	}
	if err := removeGenerated(out); err != nil {
		return err
	}
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(out, name), src, 0o644); err != nil {
			return err
		}
	}

	std, err := goList(stdDocumented...)
	if err != nil {
		return err
	}
	for _, p := range std {
		if p.Error != nil {
			return fmt.Errorf("std package %s: %s", p.ImportPath, p.Error.Err)
		}
	}

	builtin, err := goList("builtin") // documented for inspect of append, len, ...; not importable
	if err != nil {
		return err
	}
	var pkgs []apidoc.Package
	for _, p := range append(append(append([]listed{}, extracted...), std...), builtin...) {
		srcs := make([]string, len(p.GoFiles))
		for i, f := range p.GoFiles {
			srcs[i] = filepath.Join(p.Dir, f)
		}
		d, err := packageDoc(p.ImportPath, srcs)
		if err != nil {
			return fmt.Errorf("docs of %s: %w", p.ImportPath, err)
		}
		pkgs = append(pkgs, d)
	}
	generic := map[string][]string{}
	for _, d := range pkgs {
		for _, m := range d.Members {
			if m.Generic {
				generic[d.Path] = append(generic[d.Path], m.Name)
			}
		}
	}
	if err := writePackages(filepath.Join(out, "packages_gen.go"), extracted, std, generic); err != nil {
		return err
	}
	f, err := os.Create(docsFile)
	if err != nil {
		return err
	}
	if err := apidoc.Write(f, pkgs); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", docsFile, err)
	}
	return f.Close()
}

// goList runs `go list -e -json` on the patterns.
func goList(patterns ...string) ([]listed, error) {
	cmd := exec.Command("go", append([]string{"list", "-e", "-json"}, patterns...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	outb, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list %s: %w: %s", strings.Join(patterns, " "), err, stderr.String())
	}
	var res []listed
	dec := json.NewDecoder(bytes.NewReader(outb))
	for {
		var p listed
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, fmt.Errorf("decode go list output: %w", err)
		}
		res = append(res, p)
	}
	return res, nil
}

// removeGenerated deletes the symbol files written by an earlier run, so a
// package that left the bundle leaves no file behind.
func removeGenerated(dir string) error {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range ents {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".go") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return err
		}
		if bytes.HasPrefix(b, []byte("// Code generated by 'yaegi extract ")) {
			if err := os.Remove(filepath.Join(dir, e.Name())); err != nil {
				return err
			}
		}
	}
	return nil
}

func writePackages(file string, bundled, std []listed, generic map[string][]string) error {
	all := append(append([]listed{}, bundled...), std...)
	sort.Slice(all, func(i, j int) bool { return all[i].ImportPath < all[j].ImportPath })
	var b bytes.Buffer
	b.WriteString("// Code generated by script/symbols/internal/gen. DO NOT EDIT.\n\npackage symbols\n\n")
	b.WriteString("// Packages lists the bundled packages (Std false: their symbols are in\n")
	b.WriteString("// Symbols) and the documented standard library packages (Std true), sorted\n")
	b.WriteString("// by import path.\n")
	b.WriteString("var Packages = []Package{\n")
	for _, p := range all {
		fmt.Fprintf(&b, "\t{ImportPath: %q, Name: %q, Synopsis: %q, Std: %v", p.ImportPath, p.Name, p.Doc, p.Standard)
		if g := generic[p.ImportPath]; len(g) > 0 && !p.Standard {
			fmt.Fprintf(&b, ", Generic: %#v", g)
		}
		b.WriteString("},\n")
	}
	b.WriteString("}\n")
	src, err := format.Source(b.Bytes())
	if err != nil {
		return fmt.Errorf("format packages table: %w", err)
	}
	return os.WriteFile(file, src, 0o644)
}

// snapshotHead extracts the committed tree (HEAD) of the repository holding
// the working directory into a temporary directory and changes into the same
// subdirectory there, so the tables describe committed code only, never
// another engineer's work in progress. It returns the cleanup function.
func snapshotHead() (func(), error) {
	top, err := exec.Command("git", "rev-parse", "--show-toplevel").Output()
	if err != nil {
		return nil, fmt.Errorf("git rev-parse: %w", err)
	}
	root := strings.TrimSpace(string(top))
	wd, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	rel, err := filepath.Rel(root, wd)
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "gonote-symbols-")
	if err != nil {
		return nil, err
	}
	cleanup := func() { os.RemoveAll(tmp) }
	archive := exec.Command("sh", "-c", "git -C \"$1\" archive --format=tar HEAD | tar -x -C \"$2\"", "sh", root, tmp)
	if out, err := archive.CombinedOutput(); err != nil {
		cleanup()
		return nil, fmt.Errorf("snapshot HEAD: %w: %s", err, out)
	}
	if err := os.MkdirAll(filepath.Join(tmp, rel), 0o755); err != nil {
		cleanup()
		return nil, err
	}
	if err := os.Chdir(filepath.Join(tmp, rel)); err != nil {
		cleanup()
		return nil, err
	}
	return func() { _ = os.Chdir(wd); cleanup() }, nil
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
