package script

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"

	"github.com/gonote/gonote/display"
)

// fileSink is the display sink of `gonote run`: rich outputs become
// numbered files beside the script (or in the output directory), text
// goes to the terminal.
type fileSink struct {
	mu     sync.Mutex
	dir    string
	base   string
	n      int
	byID   map[string]string // display id -> file written for it
	stdout io.Writer
	stderr io.Writer
}

// fileKinds lists the MIME types written to files, richest first.
var fileKinds = []struct{ mime, ext string }{
	{"image/png", ".png"},
	{"image/jpeg", ".jpg"},
	{"image/svg+xml", ".svg"},
	{"text/html", ".html"},
}

func (f *fileSink) show(b display.Bundle, id string) { f.write(b, id, false) }

// write saves the richest file form of b, or prints its text. A final
// value (result) goes to a file only when it is an image.
func (f *fileSink) write(b display.Bundle, id string, result bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, k := range fileKinds {
		if result && !strings.HasPrefix(k.mime, "image/") {
			continue
		}
		data, ok := b.Data[k.mime]
		if !ok {
			continue
		}
		raw, err := bundleBytes(data, k.mime)
		if err != nil {
			fmt.Fprintf(f.stderr, "gonote run: %v\n", err)
			return
		}
		path := f.byID[id]
		if path == "" || filepath.Ext(path) != k.ext {
			f.n++
			path = filepath.Join(f.dir, fmt.Sprintf("%s-%d%s", f.base, f.n, k.ext))
			if id != "" {
				f.byID[id] = path
			}
		}
		if err := os.WriteFile(path, raw, 0o644); err != nil {
			fmt.Fprintf(f.stderr, "gonote run: %v\n", err)
			return
		}
		fmt.Fprintf(f.stderr, "wrote %s\n", path)
		return
	}
	if t, ok := b.Data["text/plain"].(string); ok {
		fmt.Fprintln(f.stdout, t)
	} else if t, ok := b.Data["text/markdown"].(string); ok {
		fmt.Fprintln(f.stdout, t)
	}
}

// bundleBytes returns the bytes of one MIME entry (binary data is base64).
func bundleBytes(data any, mime string) ([]byte, error) {
	switch d := data.(type) {
	case string:
		if strings.HasPrefix(mime, "image/") && mime != "image/svg+xml" {
			raw, err := base64.StdEncoding.DecodeString(d)
			if err != nil {
				return nil, fmt.Errorf("decode %s: %w", mime, err)
			}
			return raw, nil
		}
		return []byte(d), nil
	case []byte:
		return d, nil
	}
	return nil, fmt.Errorf("%s data of type %T", mime, data)
}

func (f *fileSink) Display(b display.Bundle, id string) { f.show(b, id) }
func (f *fileSink) Update(b display.Bundle, id string)  { f.show(b, id) }
func (f *fileSink) Clear(wait bool)                     {}
func (f *fileSink) Interactive() bool                   { return false }

// RunOptions configure Run.
type RunOptions struct {
	Path   string   // the script or notebook
	Args   []string // arguments the script sees in os.Args[1:]
	OutDir string   // where display files go; default: beside the script
	// For notebooks: -p name=value parameters and -o OUT.ipynb, the
	// executed notebook to write.
	Params      []string
	OutNotebook string
	Stdout      *os.File
	Stderr      *os.File
	Stdin       io.Reader // what the script reads (fmt.Scan, os.Stdin); default os.Stdin
}

// ParseRunArgs splits `gonote run` arguments: FILE [args...] with -o DIR
// before FILE or as the last two arguments.
func ParseRunArgs(args []string) (RunOptions, error) {
	var o RunOptions
	if len(args) >= 2 && args[0] == "-o" {
		o.OutDir = args[1]
		args = args[2:]
	}
	if len(args) > 0 && strings.HasSuffix(args[0], ".ipynb") {
		o.Path = args[0]
		rest := args[1:]
		for len(rest) > 0 {
			if len(rest) < 2 || (rest[0] != "-p" && rest[0] != "-o") {
				return o, fmt.Errorf("gonote run %s: unexpected %q; usage: gonote run NOTEBOOK.ipynb [-p name=value ...] [-o OUT.ipynb|DIR]", o.Path, rest[0])
			}
			switch {
			case rest[0] == "-p":
				o.Params = append(o.Params, rest[1])
			case strings.HasSuffix(rest[1], ".ipynb"):
				o.OutNotebook = rest[1]
			default:
				o.OutDir = rest[1]
			}
			rest = rest[2:]
		}
		o.Args = []string{}
		return o, nil
	}
	if len(args) >= 3 && args[len(args)-2] == "-o" {
		o.OutDir = args[len(args)-1]
		args = args[:len(args)-2]
	}
	if len(args) == 0 {
		return o, errors.New("usage: gonote run FILE.go|NOTEBOOK.ipynb [args...] [-o DIR]")
	}
	o.Path, o.Args = args[0], args[1:]
	return o, nil
}

// Run executes a script (Go cells) or a notebook headless and returns the
// process exit status: 0, 1 after an error, or the code given to os.Exit.
func Run(o RunOptions) int {
	log.SetOutput(io.Discard) // yaegi's internal compiler logs; see ServeRunner
	if o.Stdout == nil {
		o.Stdout = os.Stdout
	}
	if o.Stderr == nil {
		o.Stderr = os.Stderr
	}
	if o.Stdin == nil {
		o.Stdin = os.Stdin
	}
	src, err := os.ReadFile(o.Path)
	if err != nil {
		fmt.Fprintf(o.Stderr, "gonote run: %v\n", err)
		return 1
	}
	if strings.HasSuffix(o.Path, ".ipynb") && (o.OutNotebook != "" || len(o.Params) > 0) {
		return notebookRun(o, src)
	}
	abs, err := filepath.Abs(o.Path)
	if err != nil {
		fmt.Fprintf(o.Stderr, "gonote run: %v\n", err)
		return 1
	}
	dir := filepath.Dir(abs)
	out := o.OutDir
	if out == "" {
		out = dir
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		fmt.Fprintf(o.Stderr, "gonote run: output directory: %v\n", err)
		return 1
	}
	name := filepath.Base(o.Path)
	base := strings.TrimSuffix(name, filepath.Ext(name))
	sink := &fileSink{dir: out, base: base, byID: map[string]string{}, stdout: o.Stdout, stderr: o.Stderr}
	prev := display.SetSink(sink)
	defer display.SetSink(prev)

	var cells []string
	label := func(int) string { return name }
	if strings.HasSuffix(name, ".ipynb") {
		cells, err = notebookCells(src)
		if err != nil {
			fmt.Fprintf(o.Stderr, "gonote run: %s: %v\n", name, err)
			return 1
		}
		label = func(n int) string { return fmt.Sprintf("%s, cell %d", name, n) }
	} else {
		cells = []string{string(src)}
	}
	sess, err := NewSession(Options{Stdout: o.Stdout, Stderr: o.Stderr, Label: label, Args: append([]string{o.Path}, o.Args...), Dir: dir})
	if err != nil {
		fmt.Fprintf(o.Stderr, "gonote run: %v\n", err)
		return 1
	}
	defer sess.Close()
	sess.Hooks.Result = func(b display.Bundle) { sink.write(b, "", true) }
	sess.Hooks.AsyncError = func(e *CellError) { printError(o.Stderr, e) }
	// A script reads its own standard input, a line at a time.
	stdin := bufio.NewReader(o.Stdin)
	sess.Hooks.Input = func(string, bool) (string, error) {
		line, err := stdin.ReadString('\n')
		if err != nil && (line == "" || !errors.Is(err, io.EOF)) {
			return "", err
		}
		return strings.TrimSuffix(line, "\n"), nil
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	for i, code := range cells {
		e := runCell(ctx, sess, code, i+1, true)
		sess.errf.sync()
		if e != nil {
			printError(o.Stderr, e)
			return exitStatus(e)
		}
	}
	return 0
}

// runCell executes one cell of `gonote run`. A SIGINT (ctx cancelled)
// that arrives while a cell finishes, or between cells, stops the run as
// one that interrupts interpreted code does: the script must not go on,
// nor end with status 0, after the user pressed Ctrl-C.
func runCell(ctx context.Context, sess *Session, code string, cell int, allowStdin bool) *CellError {
	if ctx.Err() != nil {
		return sess.interrupted(cell, 1)
	}
	e := sess.Execute(ctx, code, cell, allowStdin)
	if e == nil && ctx.Err() != nil {
		e = sess.interrupted(cell, lineCount(code))
	}
	return e
}

// exitStatus is the process status of `gonote run` after a cell failed:
// the code given to os.Exit, 130 (the shell's status for SIGINT) after an
// interrupt, 1 after any other error.
func exitStatus(e *CellError) int {
	switch e.Ename {
	case "Exit":
		return e.exitCode
	case "Interrupted":
		return 130
	}
	return 1
}

// lineCount is the number of the last line of code.
func lineCount(code string) int {
	return strings.Count(strings.TrimRight(code, "\n"), "\n") + 1
}

func printError(w io.Writer, e *CellError) {
	if len(e.Traceback) == 0 {
		fmt.Fprintf(w, "%s: %s\n", e.Ename, e.Evalue)
		return
	}
	fmt.Fprintln(w, strings.Join(e.Traceback, "\n"))
}

// notebookCells returns the sources of a notebook's code cells.
func notebookCells(src []byte) ([]string, error) {
	var nb struct {
		Cells []struct {
			CellType string          `json:"cell_type"`
			Source   json.RawMessage `json:"source"`
		} `json:"cells"`
	}
	if err := json.Unmarshal(src, &nb); err != nil {
		return nil, fmt.Errorf("not a notebook: %w", err)
	}
	var out []string
	for _, c := range nb.Cells {
		if c.CellType != "code" {
			continue
		}
		var s string
		if err := json.Unmarshal(c.Source, &s); err != nil {
			var parts []string
			if err := json.Unmarshal(c.Source, &parts); err != nil {
				return nil, fmt.Errorf("cell source: %w", err)
			}
			s = strings.Join(parts, "")
		}
		out = append(out, s)
	}
	return out, nil
}
