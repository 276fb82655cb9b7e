package script

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"time"

	"github.com/gonote/gonote/display"
	"github.com/gonote/gonote/script/symbols"
)

// magicLine is one line magic (%name args) or shell command (!cmd).
type magicLine struct {
	name  string // "time", "who", ...; "!" for a shell command
	args  string
	line  int
	shell bool
}

// magicCell is a cell that starts with magics: cell magic (%%name) with a
// body, or line magics followed by Go code (blanked magic lines keep the
// code's line numbers).
type magicCell struct {
	cellMagic string
	cellArgs  string
	body      string
	lines     []magicLine
	code      string // Go code after the line magics, with magic lines blanked
}

// lineMagics and cellMagics list the magics with their help.
var lineMagics = map[string]string{
	"time":   "%time CODE: run CODE (or the rest of the cell) and print the wall time",
	"timeit": "%timeit CODE: run CODE in a loop (the count is chosen to take ~0.2 s) 7 times; print mean ± std per loop",
	"who":    "%who: list the session's variables with type and value",
	"reset":  "%reset: forget every definition and variable (a fresh interpreter)",
	"env":    "%env, %env NAME, %env NAME=VALUE: list, show or set environment variables",
	"help":   "%help: this help, and the bundled packages",
	"load":   "%load FILE: put FILE's code into the cell (in a script: run it)",
	"replay": "%replay: run again the cells that defined variables lost in a runner restart",
}

var cellMagics = map[string]string{
	"writefile": "%%writefile [-a] FILE: write (or append) the cell body to FILE",
	"html":      "%%html: display the body as HTML",
	"markdown":  "%%markdown: display the body as Markdown",
	"latex":     "%%latex: display the body as LaTeX",
	"svg":       "%%svg: display the body as SVG",
	"time":      "%%time: run the body and print the wall time",
	"timeit":    "%%timeit: time the body like %timeit",
}

// parseMagic returns nil when the cell has no magic.
func parseMagic(code string) *magicCell {
	lines := strings.Split(code, "\n")
	first := -1
	for i, l := range lines {
		t := strings.TrimSpace(l)
		if t == "" || strings.HasPrefix(t, "//") {
			continue
		}
		first = i
		break
	}
	if first < 0 {
		return nil
	}
	t := strings.TrimSpace(lines[first])
	if strings.HasPrefix(t, "%%") {
		name, args, _ := strings.Cut(strings.TrimPrefix(t, "%%"), " ")
		return &magicCell{cellMagic: name, cellArgs: strings.TrimSpace(args), body: strings.Join(lines[first+1:], "\n")}
	}
	if !strings.HasPrefix(t, "%") && !strings.HasPrefix(t, "!") {
		return nil
	}
	m := &magicCell{}
	blank := make([]string, len(lines))
	copy(blank, lines)
	for i := first; i < len(lines); i++ {
		t := strings.TrimSpace(lines[i])
		switch {
		case strings.HasPrefix(t, "!"):
			m.lines = append(m.lines, magicLine{name: "!", args: strings.TrimPrefix(t, "!"), line: i + 1, shell: true})
		case strings.HasPrefix(t, "%"):
			name, args, _ := strings.Cut(strings.TrimPrefix(t, "%"), " ")
			m.lines = append(m.lines, magicLine{name: name, args: strings.TrimSpace(args), line: i + 1})
			if (name == "time" || name == "timeit") && strings.TrimSpace(args) == "" {
				// %time alone times the rest of the cell.
				for j := 0; j <= i; j++ {
					blank[j] = ""
				}
				m.lines[len(m.lines)-1].args = ""
				m.code = strings.Join(blank, "\n")
				return m
			}
		case t == "" || strings.HasPrefix(t, "//"):
		default:
			for j := 0; j < i; j++ {
				blank[j] = ""
			}
			m.code = strings.Join(blank, "\n")
			return m
		}
	}
	return m
}

func knownMagics() string {
	var names []string
	for n := range lineMagics {
		names = append(names, "%"+n)
	}
	for n := range cellMagics {
		names = append(names, "%%"+n)
	}
	sort.Strings(names)
	return strings.Join(append(names, "!cmd"), ", ")
}

func (s *Session) magicErr(cell int, line int, ename, msg string) *CellError {
	tb := []string{fmt.Sprintf("%s, line %d", s.opts.Label(cell), line)}
	if src := s.cells[cell]; src != "" {
		tb = append(tb, sourceLines(src, line, 1)...)
	}
	return &CellError{Ename: ename, Evalue: msg, Traceback: append(tb, ename+": "+msg)}
}

func (s *Session) runMagic(ctx context.Context, m *magicCell, cell int) *CellError {
	if m.cellMagic != "" {
		return s.runCellMagic(ctx, m, cell)
	}
	for _, ml := range m.lines {
		if ml.shell {
			if e := s.shell(ctx, ml.args); e != nil {
				return e
			}
			continue
		}
		if _, ok := lineMagics[ml.name]; !ok {
			return s.magicErr(cell, ml.line, "UsageError", fmt.Sprintf("unknown magic %%%s; known magics: %s", ml.name, knownMagics()))
		}
		var e *CellError
		switch ml.name {
		case "time":
			code := ml.args
			if code == "" {
				code, m.code = m.code, ""
			} else {
				code = strings.Repeat("\n", ml.line-1) + strings.Repeat(" ", len("%time ")) + code
			}
			e = s.timeCode(ctx, code, cell)
		case "timeit":
			code := ml.args
			if code == "" {
				code, m.code = m.code, ""
			}
			e = s.timeit(ctx, code, cell, ml.line)
		case "who":
			s.who()
		case "reset":
			e = s.reset()
		case "env":
			e = s.env(ml.args, cell, ml.line)
		case "help":
			s.help()
		case "load":
			e = s.load(ctx, ml.args, cell, ml.line)
		case "replay":
			e = s.replay(ctx)
		}
		if e != nil {
			return e
		}
	}
	if strings.TrimSpace(m.code) != "" {
		return s.executeCode(ctx, m.code, cell)
	}
	return nil
}

func (s *Session) runCellMagic(ctx context.Context, m *magicCell, cell int) *CellError {
	pub := func(b display.Bundle) {
		if sink := display.CurrentSink(); sink != nil {
			sink.Display(b, "")
		} else {
			fmt.Fprintln(s.opts.Stdout, b.Text())
		}
	}
	switch m.cellMagic {
	case "html":
		pub(display.HTMLBundle(m.body))
	case "markdown":
		pub(display.MarkdownBundle(m.body))
	case "latex":
		pub(display.LaTeXBundle(m.body))
	case "svg":
		pub(display.SVGBundle(m.body))
	case "writefile":
		return s.writefile(m.cellArgs, m.body, cell)
	case "time":
		return s.timeCode(ctx, "\n"+m.body, cell)
	case "timeit":
		return s.timeit(ctx, "\n"+m.body, cell, 2)
	default:
		return s.magicErr(cell, 1, "UsageError", fmt.Sprintf("unknown cell magic %%%%%s; known magics: %s", m.cellMagic, knownMagics()))
	}
	return nil
}

func (s *Session) resolvePath(p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(s.opts.Dir, p)
}

func (s *Session) writefile(args, body string, cell int) *CellError {
	fields := strings.Fields(args)
	appendMode := false
	if len(fields) > 0 && (fields[0] == "-a" || fields[0] == "--append") {
		appendMode = true
		fields = fields[1:]
	}
	if len(fields) != 1 {
		return s.magicErr(cell, 1, "UsageError", "usage: %%writefile [-a] FILE (one file name)")
	}
	path := s.resolvePath(fields[0])
	verb := "Writing"
	if _, err := os.Stat(path); err == nil {
		verb = "Overwriting"
	}
	flag := os.O_CREATE | os.O_WRONLY | os.O_TRUNC
	if appendMode {
		flag = os.O_CREATE | os.O_WRONLY | os.O_APPEND
		verb = "Appending to"
	}
	f, err := os.OpenFile(path, flag, 0o644)
	if err != nil {
		return s.magicErr(cell, 1, "OSError", err.Error())
	}
	if !strings.HasSuffix(body, "\n") {
		body += "\n"
	}
	_, werr := f.WriteString(body)
	cerr := f.Close()
	if werr != nil || cerr != nil {
		return s.magicErr(cell, 1, "OSError", fmt.Sprintf("write %s: %v", path, errors.Join(werr, cerr)))
	}
	fmt.Fprintf(s.opts.Stdout, "%s %s\n", verb, fields[0])
	return nil
}

// shell runs a command with sh -c, streaming its output.
func (s *Session) shell(ctx context.Context, cmdline string) *CellError {
	cmd := exec.CommandContext(ctx, "/bin/sh", "-c", cmdline)
	cmd.Stdout = s.opts.Stdout
	cmd.Stderr = s.opts.Stderr
	cmd.Dir = s.opts.Dir
	cmd.Env = s.environ()
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		if ctx.Err() != nil {
			return &CellError{Ename: "Interrupted", Evalue: "the command was interrupted", Traceback: []string{"!" + cmdline, "Interrupted"}}
		}
		fmt.Fprintf(s.opts.Stderr, "[exit status %d]\n", ee.ExitCode())
	default:
		return &CellError{Ename: "ShellError", Evalue: err.Error(), Traceback: []string{"!" + cmdline, "ShellError: " + err.Error()}}
	}
	return nil
}

// environ is the environment of the interpreter (cells see a copy).
func (s *Session) environ() []string {
	v, err := s.compileAndRun("_gonoteos.Environ()")
	if err != nil || !v.IsValid() {
		return os.Environ()
	}
	env, ok := v.Interface().([]string)
	if !ok {
		return os.Environ()
	}
	sort.Strings(env)
	return env
}

func (s *Session) env(args string, cell, line int) *CellError {
	switch {
	case args == "":
		for _, kv := range s.environ() {
			fmt.Fprintln(s.opts.Stdout, kv)
		}
	case strings.Contains(args, "="):
		k, v, _ := strings.Cut(args, "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if k == "" {
			return s.magicErr(cell, line, "UsageError", "usage: %env NAME=VALUE (NAME must not be empty)")
		}
		if _, err := s.compileAndRun(fmt.Sprintf("_gonoteos.Setenv(%q, %q)", k, v)); err != nil {
			return s.magicErr(cell, line, "UsageError", err.Error())
		}
		os.Setenv(k, v)
		fmt.Fprintf(s.opts.Stdout, "env: %s=%s\n", k, v)
	default:
		v, err := s.compileAndRun(fmt.Sprintf("_gonoteos.Getenv(%q)", args))
		if err != nil {
			return s.magicErr(cell, line, "UsageError", err.Error())
		}
		fmt.Fprintln(s.opts.Stdout, v.Interface())
	}
	return nil
}

func (s *Session) help() {
	w := s.opts.Stdout
	fmt.Fprintln(w, "Magics:")
	var names []string
	for n := range lineMagics {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintln(w, "  "+lineMagics[n])
	}
	names = names[:0]
	for n := range cellMagics {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintln(w, "  "+cellMagics[n])
	}
	fmt.Fprintln(w, "  !cmd: run a shell command, streaming its output")
	fmt.Fprintln(w, "\nBundled packages (imported automatically when a cell uses their name):")
	for _, p := range symbols.Packages {
		if p.Std {
			continue
		}
		syn := p.Synopsis
		if i := strings.Index(syn, ". "); i > 0 {
			syn = syn[:i+1]
		}
		if len(syn) > 100 {
			syn = syn[:97] + "..."
		}
		fmt.Fprintf(w, "  %-10s %s  %s\n", p.Name, p.ImportPath, syn)
	}
	fmt.Fprintln(w, "\nThe Go standard library is available too (fmt, math, strings, sort, ...).")
}

func (s *Session) reset() *CellError {
	s.mu.Lock()
	s.led = newLedger()
	s.types = nil
	s.mu.Unlock()
	if err := s.newInterpreter(); err != nil {
		return &CellError{Ename: "ResetError", Evalue: err.Error()}
	}
	fmt.Fprintln(s.opts.Stdout, "session reset: all definitions and variables were removed")
	return nil
}

// who lists the variables.
func (s *Session) who() {
	g := s.globals()
	var names []string
	for n := range g {
		if strings.HasPrefix(n, "_gonote") || n == "ctx" || !s.led.isVar(n) {
			continue
		}
		names = append(names, n)
	}
	sort.Strings(names)
	if len(names) == 0 {
		fmt.Fprintln(s.opts.Stdout, "no variables defined")
		return
	}
	rows := [][3]string{{"Variable", "Type", "Value"}}
	for _, n := range names {
		v := g[n]
		typ, val := "invalid", ""
		if v.IsValid() {
			typ = s.typeName(n, v.Type())
			val = shortValue(v)
		}
		rows = append(rows, [3]string{n, typ, val})
	}
	var w [2]int
	for _, r := range rows {
		w[0] = max(w[0], len(r[0]))
		w[1] = max(w[1], len(r[1]))
	}
	for i, r := range rows {
		fmt.Fprintf(s.opts.Stdout, "%-*s  %-*s  %s\n", w[0], r[0], w[1], r[1], r[2])
		if i == 0 {
			fmt.Fprintf(s.opts.Stdout, "%s  %s  %s\n", strings.Repeat("-", w[0]), strings.Repeat("-", w[1]), strings.Repeat("-", 5))
		}
	}
}

// typeName names a variable's type, preferring the written type.
func (s *Session) typeName(name string, t reflect.Type) string {
	s.led.mu.Lock()
	v := s.led.vars[name]
	s.led.mu.Unlock()
	if v != nil && v.TypeExpr != "" {
		return v.TypeExpr
	}
	return t.String()
}

func shortValue(v reflect.Value) string {
	if !v.CanInterface() {
		return ""
	}
	text := strings.ReplaceAll(display.PlainText(v.Interface()), "\n", " ")
	if len(text) > 60 {
		text = text[:57] + "..."
	}
	return text
}

// load puts a file's code into the next cell (set_next_input payload).
func (s *Session) load(ctx context.Context, arg string, cell, line int) *CellError {
	if arg == "" {
		return s.magicErr(cell, line, "UsageError", "usage: %load FILE")
	}
	b, err := os.ReadFile(s.resolvePath(arg))
	if err != nil {
		return s.magicErr(cell, line, "OSError", err.Error())
	}
	text := "// %load " + arg + "\n" + string(b)
	s.mu.Lock()
	interactive := s.Interactive
	if interactive {
		s.payload = append(s.payload, map[string]any{"source": "set_next_input", "text": text, "replace": true})
	}
	s.mu.Unlock()
	if !interactive {
		return s.executeCode(ctx, string(b), cell)
	}
	return nil
}

// replay runs again the cells that defined the variables lost in a
// runner restart.
func (s *Session) replay(ctx context.Context) *CellError {
	s.mu.Lock()
	lost := s.lost
	s.mu.Unlock()
	if len(lost) == 0 {
		fmt.Fprintln(s.opts.Stdout, "nothing to replay: no variables were lost")
		return nil
	}
	s.led.mu.Lock()
	cells := map[int]bool{}
	for _, n := range lost {
		if v, ok := s.led.vars[n]; ok {
			cells[v.Cell] = true
		}
	}
	var nums []int
	for c := range cells {
		nums = append(nums, c)
	}
	sort.Ints(nums)
	srcs := map[int]string{}
	for _, c := range nums {
		srcs[c] = s.led.cellSrc[c]
	}
	s.led.mu.Unlock()
	// The replayed cells' final values are not shown again.
	s.mu.Lock()
	s.quiet = true
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.quiet = false
		s.mu.Unlock()
	}()
	for _, c := range nums {
		fmt.Fprintf(s.opts.Stdout, "replaying %s\n", s.opts.Label(c))
		s.mu.Lock()
		s.cells[c] = srcs[c]
		s.mu.Unlock()
		if e := s.executeCode(ctx, srcs[c], c); e != nil {
			return e
		}
	}
	s.mu.Lock()
	s.lost = nil
	s.mu.Unlock()
	return nil
}

// timeCode runs code as a cell and prints its wall time.
func (s *Session) timeCode(ctx context.Context, code string, cell int) *CellError {
	start := time.Now()
	e := s.executeCode(ctx, code, cell)
	fmt.Fprintf(s.opts.Stdout, "Wall time: %s\n", formatDuration(time.Since(start).Seconds()))
	return e
}

// timeit compiles code into a function once and times calls of it.
func (s *Session) timeit(ctx context.Context, code string, cell, line int) *CellError {
	body := strings.TrimSpace(code)
	if body == "" {
		return s.magicErr(cell, line, "UsageError", "usage: %timeit CODE")
	}
	// The code goes through the cell compiler (auto-imports, rewrites).
	p, cerr := compileCell(body, sessionEnv{s})
	if cerr != nil {
		return s.magicErr(cell, line, "CompileError", fmt.Sprintf("%%timeit: %v", cerr))
	}
	if e := s.doImports(p, cell, s.cells[cell]); e != nil {
		return e
	}
	var parts []string
	for _, u := range p.Units {
		if u.Final {
			parts = append(parts, "_ = "+strings.TrimSpace(u.Plain))
		} else {
			parts = append(parts, u.Src)
		}
	}
	body = strings.Join(parts, "\n")
	var fn reflect.Value
	var lastErr error
	for _, src := range []string{";(func() {\n" + body + "\n})", ";(func() {\n" + strings.TrimPrefix(body, "_ = ") + "\n})"} {
		v, err := s.compileAndRun(src)
		if err == nil && v.IsValid() && v.Kind() == reflect.Func {
			fn = v
			break
		}
		lastErr = err
	}
	if !fn.IsValid() {
		return s.magicErr(cell, line, "CompileError", fmt.Sprintf("%%timeit: %v", lastErr))
	}
	call := func(n int) (float64, *CellError) {
		start := time.Now()
		var perr *CellError
		func() {
			defer func() {
				if r := recover(); r != nil {
					ename, evalue := describePanic(r)
					perr = s.magicErr(cell, line, ename, evalue)
				}
			}()
			for i := 0; i < n; i++ {
				fn.Call(nil)
			}
		}()
		return time.Since(start).Seconds(), perr
	}
	// Choose the loop count: the first power of ten whose run takes 0.2 s.
	loops := 1
	for {
		if ctx.Err() != nil {
			return &CellError{Ename: "Interrupted", Evalue: "%timeit was interrupted"}
		}
		t, e := call(loops)
		if e != nil {
			return e
		}
		if t >= 0.2 || loops >= 1e8 {
			break
		}
		loops *= 10
	}
	const runs = 7
	per := make([]float64, 0, runs)
	for r := 0; r < runs; r++ {
		if ctx.Err() != nil {
			return &CellError{Ename: "Interrupted", Evalue: "%timeit was interrupted"}
		}
		t, e := call(loops)
		if e != nil {
			return e
		}
		per = append(per, t/float64(loops))
	}
	mean, std := meanStd(per)
	plural := "s"
	if loops == 1 {
		plural = ""
	}
	fmt.Fprintf(s.opts.Stdout, "%s ± %s per loop (mean ± std. dev. of %d runs, %d loop%s each)\n",
		formatDuration(mean), formatDuration(std), runs, loops, plural)
	return nil
}

func meanStd(xs []float64) (float64, float64) {
	var sum float64
	for _, x := range xs {
		sum += x
	}
	mean := sum / float64(len(xs))
	var ss float64
	for _, x := range xs {
		ss += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(ss / float64(len(xs)))
}

// formatDuration prints seconds with 3 significant digits and a unit.
func formatDuration(sec float64) string {
	switch {
	case sec >= 1:
		return fmt.Sprintf("%.3g s", sec)
	case sec >= 1e-3:
		return fmt.Sprintf("%.3g ms", sec*1e3)
	case sec >= 1e-6:
		return fmt.Sprintf("%.3g µs", sec*1e6)
	default:
		return fmt.Sprintf("%.3g ns", sec*1e9)
	}
}
