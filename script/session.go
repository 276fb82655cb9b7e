package script

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"reflect"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gonote/gonote/display"
	"github.com/gonote/gonote/script/symbols"
	"github.com/traefik/yaegi/interp"
	"github.com/traefik/yaegi/stdlib"
)

// Options configure a Session.
type Options struct {
	// Stdout and Stderr receive what cells print. They must be files (pipes)
	// so that os.Stdout and os.Stderr in cells are captured too.
	Stdout, Stderr *os.File
	// Label names a cell in tracebacks; the default is "In [n]".
	Label func(cell int) string
	// Args is os.Args as cells see it.
	Args []string
	// Dir is the directory of the script (gonote run) or the working
	// directory; %load and %%writefile resolve relative paths against it.
	Dir string
	// BufferOutput collects what cells print with fmt.Print* in memory
	// and writes it in few system calls (see outBuffer); the front end
	// must call Session.FlushOutput before it marks a position in the
	// output streams.
	BufferOutput bool
	// AwaitInterrupted makes an interrupted cell return only once the
	// interpreter has really stopped: if it was inside a compiled call that
	// does not heed the interrupt, the cell waits for that call (the kernel
	// supervisor replaces a runner that waits longer than its grace
	// period). Without it the cell returns at once and the call finishes
	// in the background (gonote run, which exits).
	AwaitInterrupted bool
}

// Hooks connect a session to its front end (the runner or gonote run).
// Every hook may be nil.
type Hooks struct {
	// Result receives the displayed value of a cell's final expression.
	Result func(b display.Bundle)
	// Stream is called before a result or display so that earlier output
	// is delivered first.
	Flush func()
	// AsyncError reports a panic in a goroutine whose cell has finished.
	AsyncError func(e *CellError)
	// Input asks the front end for a line of input; ok is false when input
	// is not available.
	Input func(prompt string, password bool) (line string, err error)
}

// CellError is the one error a failed cell reports.
type CellError struct {
	Ename     string
	Evalue    string
	Traceback []string
	exitCode  int    // the status given to os.Exit, for gonote run
	tag       string // the front end's tag of the cell (the runner's request id)
}

func (e *CellError) Error() string { return e.Ename + ": " + e.Evalue }

// interruptedText is the evalue of an interrupted cell.
const interruptedText = "the cell was interrupted; its interpreted code and goroutines were stopped"

// Session is a persistent interpreter that runs cells.
type Session struct {
	opts  Options
	Hooks Hooks
	in    *interp.Interpreter
	errf  *stderrFilter
	out   *outBuffer // the interpreter's standard output
	stdin *inputReader
	// directIO is set once a cell mentions a standard stream by name
	// (os.Stdout, os.Stderr, a file descriptor): its writes bypass the
	// output buffer, so buffering stays off to keep the order.
	directIO atomic.Bool
	ctxPtr   reflect.Value

	// yaegiCtl and yaegiFrame reach into the interpreter (see
	// yaegiexec.go and yaegiframe.go); nil if a yaegi upgrade renamed the
	// fields.
	yaegiCtl   *yaegiControl
	yaegiFrame *globalFrame

	// interrupts is closed when the running cell is interrupted, and
	// replaced when the next cell starts: time.Sleep in cells waits on it
	// (see sleep).
	intrMu     sync.Mutex
	interrupts chan struct{}

	// state guarded by mu (read by completion while a cell runs)
	mu      sync.Mutex
	imports map[string]string // package name in scope -> import path
	led     *ledger
	cells   map[int]string // source of executed cells
	types   map[string]reflect.Type
	values  map[string]string

	// per cell
	tag       string // set by the front end with SetCellTag before Execute
	running   bool
	cellNum   int
	deferred  []func()
	goPanics  []*CellError
	cellMu    sync.Mutex
	allowIn   bool
	payload   []any
	stash     []interface{}
	cellDecls map[string]*ledgerEntry // declarations of the running cell
	cellCtx   context.Context         // context of the running cell
	quiet     bool                    // final values are not shown (%replay)
	lost      []string                // variables lost in the last restore (%replay)
	sentLed   *ledger                 // the ledger and generation last given by SnapshotIfChanged
	sentGen   uint64

	// Interactive is true in a notebook (the runner): %load fills the next
	// cell instead of running the file.
	Interactive bool
}

// pkgIndex maps package names to the import paths of bundled packages.
var pkgIndex = func() map[string][]string {
	idx := map[string][]string{}
	add := func(key string) {
		i := strings.LastIndex(key, "/")
		if i < 0 {
			return
		}
		path, name := key[:i], key[i+1:]
		if strings.HasPrefix(name, "_") || strings.Contains(path, "internal") {
			return
		}
		for _, p := range idx[name] {
			if p == path {
				return
			}
		}
		idx[name] = append(idx[name], path)
	}
	for k := range stdlib.Symbols {
		add(k)
	}
	for k := range symbols.Symbols {
		add(k)
	}
	for _, v := range idx {
		sort.Strings(v)
	}
	return idx
}()

// NewSession starts an interpreter with the standard library, the bundled
// packages and the cell runtime.
func NewSession(opts Options) (*Session, error) {
	if opts.Stdout == nil {
		opts.Stdout = os.Stdout
	}
	if opts.Stderr == nil {
		opts.Stderr = os.Stderr
	}
	if opts.Label == nil {
		opts.Label = func(n int) string { return fmt.Sprintf("In [%d]", n) }
	}
	if opts.Args == nil {
		opts.Args = []string{"gonote"}
	}
	if opts.Dir == "" {
		opts.Dir, _ = os.Getwd()
	}
	s := &Session{opts: opts, led: newLedger(), cells: map[int]string{}, imports: map[string]string{}}
	s.stdin = &inputReader{s: s}
	s.out = newOutBuffer(opts.Stdout)
	errf, err := newStderrFilter(opts.Stderr)
	if err != nil {
		return nil, err
	}
	s.errf = errf
	if err := s.newInterpreter(); err != nil {
		return nil, err
	}
	return s, nil
}

// Close releases the session's pipes.
func (s *Session) Close() {
	s.out.setBuffered(false)
	s.errf.close()
}

// restrictedStdlib is yaegi's standard library with os.Exit turned into a
// panic the session reports as an error, errors.As/Is that see cell types
// and fmt printing their errors and Stringers as Go does (fmtwrap.go).
func restrictedStdlib() interp.Exports {
	out := interp.Exports{}
	for k, v := range stdlib.Symbols {
		out[k] = v
	}
	osSyms := map[string]reflect.Value{}
	for k, v := range stdlib.Symbols["os/os"] {
		osSyms[k] = v
	}
	osSyms["Exit"] = reflect.ValueOf(func(code int) { panic(exitSignal{code: code}) })
	out["os/os"] = osSyms
	errSyms := map[string]reflect.Value{}
	for k, v := range stdlib.Symbols["errors/errors"] {
		errSyms[k] = v
	}
	errSyms["As"] = reflect.ValueOf(errorsAs)
	errSyms["Is"] = reflect.ValueOf(errorsIs)
	out["errors/errors"] = errSyms
	fmtSyms := map[string]reflect.Value{}
	for k, v := range stdlib.Symbols["fmt/fmt"] {
		fmtSyms[k] = v
	}
	fmtSyms["_Stringer"] = reflect.ValueOf((*fmtStringer)(nil))
	out["fmt/fmt"] = fmtSyms
	out["."] = map[string]reflect.Value{"MapTypes": reflect.ValueOf(fmtMapTypes())}
	return out
}

var stdExports = restrictedStdlib()

func (s *Session) newInterpreter() error {
	in := interp.New(interp.Options{
		Stdout: s.out,
		Stderr: s.errf.writer(),
		Stdin:  s.stdin,
		Env:    os.Environ(),
		Args:   s.opts.Args,
	})
	// The interpreter's Stdout and Stderr are the buffer and a counting
	// writer, not files, so yaegi leaves os.Stdout and os.Stderr alone:
	// cells see the session's output file and the stderr filter's pipe.
	std := make(interp.Exports, len(stdExports))
	for k, v := range stdExports {
		std[k] = v
	}
	osSyms := make(map[string]reflect.Value, len(stdExports["os/os"]))
	for k, v := range stdExports["os/os"] {
		osSyms[k] = v
	}
	stdoutFile, stderrFile := s.opts.Stdout, s.errf.w
	osSyms["Stdout"] = reflect.ValueOf(&stdoutFile).Elem()
	osSyms["Stderr"] = reflect.ValueOf(&stderrFile).Elem()
	std["os/os"] = osSyms
	timeSyms := make(map[string]reflect.Value, len(stdExports["time/time"]))
	for k, v := range stdExports["time/time"] {
		timeSyms[k] = v
	}
	timeSyms["Sleep"] = reflect.ValueOf(s.sleep)
	std["time/time"] = timeSyms
	for _, ex := range []interp.Exports{std, symbols.Symbols, s.runtimeExports()} {
		if err := in.Use(ex); err != nil {
			return fmt.Errorf("script: load symbols: %w", err)
		}
	}
	if _, err := in.EvalWithContext(context.Background(), preludeImports); err != nil {
		return fmt.Errorf("script: prelude imports: %w", err)
	}
	if _, err := in.EvalWithContext(context.Background(), prelude+"\nvar ctx _gonotecontext.Context = _gonotecontext.Background()\n"); err != nil {
		return fmt.Errorf("script: prelude: %w", err)
	}
	p, err := in.Eval("&ctx")
	if err != nil {
		return fmt.Errorf("script: ctx: %w", err)
	}
	s.mu.Lock()
	s.in = in
	s.imports = map[string]string{}
	s.mu.Unlock()
	s.yaegiCtl, s.yaegiFrame = nil, nil
	if ctl, ok := yaegiControlOf(in); ok {
		s.yaegiCtl = &ctl
	}
	if g, ok := globalFrameOf(in); ok {
		s.yaegiFrame = &g
	}
	s.ctxPtr = p
	if s.cellCtx != nil {
		// A rebuild during a cell: cells still see that cell's ctx.
		p.Elem().Set(reflect.ValueOf(s.cellCtx))
	}
	return nil
}

// usesStdStreams reports whether code may write to the standard streams
// other than through fmt.Print* (os.Stdout, os.Stderr, a file
// descriptor, a command's output).
func usesStdStreams(code string) bool {
	for _, w := range []string{".Stdout", ".Stderr", "Fd()", "syscall", "NewFile", "exec."} {
		if strings.Contains(code, w) {
			return true
		}
	}
	return false
}

// setCellTag names the next cell for the front end: a goroutine panic
// reported after its cell ended carries this tag.
func (s *Session) setCellTag(tag string) {
	s.mu.Lock()
	s.tag = tag
	s.mu.Unlock()
}

// FlushOutput writes what cells printed and is still buffered, on both
// streams: the interpreter's standard error goes through a filter that
// forwards it asynchronously.
func (s *Session) FlushOutput() {
	s.out.Flush()
	if s.directIO.Load() {
		s.errf.sync() // os.Stderr writes are not counted
	} else {
		s.errf.syncIfWritten()
	}
}

// compileEnv implementation.
type sessionEnv struct{ s *Session }

func (e sessionEnv) declared(name string) bool {
	if name == "ctx" {
		return true
	}
	return e.s.led.has(name)
}
func (e sessionEnv) imported(name string) bool { _, ok := e.s.imports[name]; return ok }
func (e sessionEnv) integer(name string) bool {
	t, ok := e.s.types[name]
	if !ok || t == nil {
		return false
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return true
	}
	return false
}
func (e sessionEnv) candidates(name string) []string {
	if paths := bundledIndex[name]; len(paths) > 0 {
		return paths
	}
	return pkgIndex[name]
}

func (e sessionEnv) genericFunc(name string) (genericSignature, bool) {
	d := e.s.led.lookupFunc(name)
	// Only a declaration with type parameters is parsed: every call of a
	// session function in a cell asks.
	if d == nil || d.Kind != "func" || d.Name != name || !strings.Contains(d.Src, "func "+name+"[") {
		return genericSignature{}, false
	}
	return parseGenericFunc(d.Src)
}

func (e sessionEnv) varType(name string) string {
	if !e.s.led.isVar(name) {
		return ""
	}
	e.s.mu.Lock()
	t := e.s.types[name]
	e.s.mu.Unlock()
	if t == nil {
		return ""
	}
	prefix := ""
	if t.Kind() == reflect.Slice {
		prefix, t = "[]", t.Elem()
	}
	if t.PkgPath() != "" || !basicTypes[t.Name()] {
		return ""
	}
	return prefix + t.Name()
}

func (e sessionEnv) varTypeExpr(name string) string { return e.s.led.varTypeExpr(name) }

func (e sessionEnv) method(typ, name string) (methodInfo, bool) {
	d := e.s.led.lookupFunc(typ + "." + name)
	if d == nil || d.Kind != "method" || d.Recv != typ {
		return methodInfo{}, false
	}
	return parseMethod(d.Src)
}

func (e sessionEnv) variadicIface(x, name string) (string, int, bool) {
	s := e.s
	var ft reflect.Type
	s.mu.Lock()
	path, isPkg := s.imports[x]
	t := s.types[x]
	s.mu.Unlock()
	switch {
	case isPkg:
		key := path + "/" + lastElem(path)
		syms, ok := stdExports[key]
		if !ok {
			syms = symbols.Symbols[key]
		}
		v, ok := syms[name]
		if !ok || v.Kind() != reflect.Func {
			return "", 0, false
		}
		ft = v.Type()
	case t != nil && e.s.led.isVar(x):
		m, ok := t.MethodByName(name)
		if !ok {
			return "", 0, false
		}
		ft = m.Type
		// The method type of a reflect.Type includes the receiver.
		if ft.NumIn() > 0 && ft.In(0) == t {
			ft = reflect.FuncOf(inTypes(ft)[1:], outTypes(ft), ft.IsVariadic())
		}
	default:
		return "", 0, false
	}
	if !ft.IsVariadic() {
		return "", 0, false
	}
	elem := ft.In(ft.NumIn() - 1).Elem()
	if elem.Kind() != reflect.Interface || elem.NumMethod() == 0 {
		return "", 0, false
	}
	text := compiledTypeString(elem, s.imports)
	if text == "" {
		return "", 0, false
	}
	return text, ft.NumIn() - 1, true
}

func inTypes(ft reflect.Type) []reflect.Type {
	out := make([]reflect.Type, ft.NumIn())
	for i := range out {
		out[i] = ft.In(i)
	}
	return out
}

func outTypes(ft reflect.Type) []reflect.Type {
	out := make([]reflect.Type, ft.NumOut())
	for i := range out {
		out[i] = ft.Out(i)
	}
	return out
}

// bundledIndex maps package names to the curated bundled packages
// (symbols.Packages), which take precedence over the rest of the standard
// library for auto-import.
var bundledIndex = func() map[string][]string {
	idx := map[string][]string{}
	for _, p := range symbols.Packages {
		idx[p.Name] = append(idx[p.Name], p.ImportPath)
	}
	return idx
}()

var yaegiPos = regexp.MustCompile(`^(?:[^\s:]*\.go:)?(\d+):(\d+): `)

// padded places src at line `line` (and column col) of the text sent to
// the interpreter, after the one line yaegi's own wrapper occupies, so that
// positions in errors are cell positions plus one line.
func padded(src string, line, col int) string {
	return strings.Repeat("\n", line) + strings.Repeat(" ", col-1) + src
}

// paddedStmt is padded for a statement: a leading semicolon makes yaegi
// wrap it as statements even when it starts with func (a function literal
// call), which it would otherwise turn into a func main that runs again
// with every later cell.
func paddedStmt(src string, line, col int) string {
	return strings.Repeat("\n", line-1) + ";\n" + strings.Repeat(" ", col-1) + src
}

// paddedInFunc is paddedStmt for a statement run inside a function literal;
// the literal opens on the padding line so that positions are kept.
func paddedInFunc(src string, line, col int) string {
	return strings.Repeat("\n", line-1) + ";func() {\n" + strings.Repeat(" ", col-1) + src + "\n}()"
}

// unitSource pads a unit's text for the interpreter.
func unitSource(u *unit, src string) string {
	if u.InFunc {
		return paddedInFunc(src, u.Line, u.Col)
	}
	if u.Kind == unitStmt {
		return paddedStmt(src, u.Line, u.Col)
	}
	return padded(src, u.Line, u.Col)
}

// compile compiles src under recover: yaegi's compiler panics on some input.
func (s *Session) compile(src string) (prog *interp.Program, err error) {
	defer func() {
		forgetSyntaxTrees(s.in)
		if r := recover(); r != nil {
			prog = nil
			err = fmt.Errorf("%v", r)
		}
	}()
	prog, err = s.in.Compile(src)
	if err == nil && s.yaegiFrame != nil {
		s.yaegiFrame.grow()
	}
	return prog, err
}

// Execute runs one cell. cell is its number (In [cell]). It returns nil or
// the one error of the cell.
func (s *Session) Execute(ctx context.Context, code string, cell int, allowStdin bool) *CellError {
	s.cellMu.Lock()
	defer s.cellMu.Unlock()
	s.armInterrupts()
	s.mu.Lock()
	s.cells[cell] = code
	s.running = true
	s.cellNum = cell
	s.deferred = nil
	s.goPanics = nil
	s.allowIn = allowStdin
	s.payload = nil
	s.mu.Unlock()
	var err *CellError
	if m := parseMagic(code); m != nil {
		err = s.runMagic(ctx, m, cell)
	} else {
		if usesStdStreams(code) {
			s.directIO.Store(true)
		}
		if s.opts.BufferOutput && !s.directIO.Load() {
			s.out.setBuffered(true)
		}
		err = s.executeCode(ctx, code, cell)
		s.out.setBuffered(false)
	}
	// Goroutine panics of this cell: those that came while it ran (the
	// first is the cell's error unless it has one), and none can be lost
	// between this check and the end of the cell, because goroutines
	// decide under the same lock whether the cell still runs.
	s.mu.Lock()
	s.running = false
	panics := s.goPanics
	s.goPanics = nil
	s.mu.Unlock()
	if err == nil && len(panics) > 0 {
		err, panics = panics[0], panics[1:]
	}
	if s.Hooks.AsyncError != nil {
		for _, e := range panics {
			s.Hooks.AsyncError(e)
		}
	}
	return err
}

func (s *Session) executeCode(ctx context.Context, code string, cell int) *CellError {
	p, err := compileCell(code, sessionEnv{s})
	if err != nil {
		var ce *compileError
		if errors.As(err, &ce) {
			return s.compileErr(cell, code, ce.Line, ce.Col, ce.Msg)
		}
		return &CellError{Ename: "CompileError", Evalue: err.Error()}
	}
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	s.ctxPtr.Elem().Set(reflect.ValueOf(cctx))
	s.cellCtx = cctx
	defer func() { s.cellCtx = nil }()

	if cerr := s.doImports(p, cell, code); cerr != nil {
		return cerr
	}
	s.cellDecls = map[string]*ledgerEntry{}
	for _, u := range p.Units {
		for _, d := range u.Decls {
			s.cellDecls[d.Name] = &ledgerEntry{Kind: d.Kind, Name: d.Name, Recv: d.Recv, Src: d.Src, Type: d.TypeExpr}
		}
		for _, n := range u.Defines {
			s.cellDecls[n] = &ledgerEntry{Kind: "var", Name: n, Type: u.DefExpr[n]}
		}
	}
	redefs := s.led.redefinitions(p)
	rebuild := s.led.needsRebuild(redefs)
	var reset []string
	if rebuild {
		var rerr error
		reset, rerr = s.rebuild(redefs)
		if rerr != nil {
			return &CellError{Ename: "RestoreError", Evalue: rerr.Error()}
		}
	}
	// Phase 1: compile every unit, so a cell that does not compile changes
	// nothing.
	progs := make([]*interp.Program, len(p.Units))
	lazyFrom := len(p.Units)
	for i := range p.Units {
		u := &p.Units[i]
		prog, cerr := s.compileUnit(u, cell, code)
		if u.stashed || (cerr == nil && unitRedefines(u, redefs)) {
			// Its variables are declared only when it runs, or what follows
			// must bind to the redefinition and the declarations rebuilt
			// after it: compile the rest just before running it.
			progs[i] = prog
			lazyFrom = i + 1
			break
		}
		if cerr != nil {
			if declaresAnything(p) || rebuild {
				s.restoreAfterFailedCompile()
			}
			return cerr
		}
		progs[i] = prog
	}
	// Phase 2: run them; after a unit that redefines names, re-evaluate
	// the declarations that depend on them and recompile what follows.
	recompile := false
	var runErr *CellError
	// Only a cell that declares something can leave the ledger to undo.
	var saved *ledgerState
	if declaresAnything(p) || rebuild {
		st := s.led.save()
		saved = &st
	}
	onlyDecls := true // every unit run so far only declared funcs, types, consts
	for i := range p.Units {
		u := &p.Units[i]
		prog := progs[i]
		if recompile || i >= lazyFrom {
			var cerr *CellError
			prog, cerr = s.compileUnit(u, cell, code)
			if cerr != nil {
				runErr = cerr
				if onlyDecls {
					// Nothing ran but declarations: the cell changes nothing.
					if saved != nil {
						s.led.restore(*saved)
					}
					s.restoreAfterFailedCompile()
				}
				break
			}
		}
		if u.Kind != unitDecl {
			onlyDecls = false
		}
		for _, d := range u.Decls {
			if d.Kind == "var" {
				onlyDecls = false
			}
		}
		e := s.run(cctx, prog, u, cell, code)
		if e != nil && e.Ename == "CompileError" && len(u.VarNames) > 0 && !u.stashed && globalScopeBug(errors.New(e.Evalue)) {
			// Some definitions fail only when run: run them in a function,
			// and compile what follows against the new variables.
			u.stashed = true
			recompile = true
			if p2, cerr := s.compileUnit(u, cell, code); cerr != nil {
				e = cerr
			} else {
				e = s.run(cctx, p2, u, cell, code)
			}
		}
		if e == nil && u.stashed {
			e = s.declareStashed(u, cell, code)
		}
		if e != nil {
			if e.Ename != "" {
				runErr = e
			}
			s.led.record(p, u, cell, s)
			break
		}
		s.led.record(p, u, cell, s)
		s.noteValueErrors(u)
		if unitRedefines(u, redefs) {
			// Rebind what uses the redefined names (and, after a rebuild,
			// bring back what was left out), then declare the variables of
			// redefined types again with their zero value.
			s.reevaluate(s.led.dependents(redefs), cell)
			recompile = true
			if len(reset) > 0 {
				s.redeclareReset(reset)
				reset = nil
			}
		}
	}
	if runErr == nil && p.HasMain {
		if prog, cerr := s.compile(paddedStmt(mainRenamed+"()", 1, 1)); cerr != nil {
			runErr = &CellError{Ename: "CompileError", Evalue: cerr.Error()}
		} else if e := s.run(cctx, prog, &unit{Kind: unitStmt, Line: 1, Col: 1}, cell, code); e != nil && e.Ename != "" {
			runErr = e
		}
	}
	if len(reset) > 0 {
		s.redeclareReset(reset)
	}
	if e := s.runDeferred(cell, code); e != nil && runErr == nil {
		runErr = e
	}
	if rebuild || touchesSession(p, s.led) {
		s.refreshTypes()
	}
	return runErr
}

// touchesSession reports whether a cell may have changed the session's
// variables or definitions: it declares or imports something, or names a
// variable or function of the session. A cell that does not (1+1, a call
// of a package function on literals) leaves the recorded types and values
// as they are.
func touchesSession(p *plan, l *ledger) bool {
	if p.HasMain || len(p.Imports) > 0 || declaresAnything(p) {
		return true
	}
	for _, u := range p.Units {
		if u.stashed {
			return true
		}
		for _, r := range u.Refs {
			if l.has(r) {
				return true
			}
		}
	}
	return false
}

func declaresAnything(p *plan) bool {
	for _, u := range p.Units {
		if len(u.Decls) > 0 || len(u.Defines) > 0 {
			return true
		}
	}
	return false
}

func unitRedefines(u *unit, redefs map[string]bool) bool {
	for _, d := range u.Decls {
		if redefs[d.Name] {
			return true
		}
	}
	for _, n := range u.Defines {
		if redefs[n] {
			return true
		}
	}
	return false
}

// compileUnit compiles a unit, falling back from the value-showing form to
// the plain one when the final expression has no value.
func (s *Session) compileUnit(u *unit, cell int, code string) (*interp.Program, *CellError) {
	if u.stashed {
		prog, err := s.compile(paddedStmt(stashSource(u), u.Line, u.Col))
		if err != nil {
			return nil, s.yaegiCompileErr(err, u, cell, code)
		}
		return prog, nil
	}
	src := u.Src
	if u.Final {
		src = s.finalSource(u, true)
	}
	prog, err := s.compile(unitSource(u, src))
	if err != nil && u.Final {
		// The value may not convert to the matrix or image interface (a
		// method with a pointer receiver): show it without that view.
		if alt := s.finalSource(u, false); alt != src {
			if p2, err2 := s.compile(unitSource(u, alt)); err2 == nil {
				prog, err = p2, nil
			}
		}
	}
	if err != nil && len(u.VarNames) > 0 && globalScopeBug(err) {
		// yaegi cannot compile this definition in the global scope (generic
		// results, comma-ok receives): run it inside a function instead.
		if p2, err2 := s.compile(paddedStmt(stashSource(u), u.Line, u.Col)); err2 == nil {
			u.stashed = true
			return p2, nil
		}
	}
	if err != nil && u.Kind == unitStmt && len(u.Defines) == 0 && !u.Final && internalCompilerError(err) {
		// yaegi's compiler fails on some statements in the global scope
		// (a type switch with a binding, for one): run them in a function.
		if p2, err2 := s.compile(paddedInFunc(u.Src, u.Line, u.Col)); err2 == nil {
			return p2, nil
		}
	}
	if err != nil && u.Final {
		if p2, err2 := s.compile(unitSource(u, u.Plain)); err2 == nil {
			u.Final = false
			return p2, nil
		} else {
			err = err2
		}
	}
	if err != nil {
		return nil, s.yaegiCompileErr(err, u, cell, code)
	}
	return prog, nil
}

// finalSource returns the text that shows a final expression. A value
// whose type is defined in a cell is shown with the results of its display
// methods (HTML, String, ...), called by interpreted code: compiled code
// cannot see methods of cell types, and yaegi's interface assertions on
// such values are unreliable. The type comes from the expression's syntax
// and the ledger (composite literals, conversions, variables with a known
// type, calls of cell functions).
//
// With view, a value whose methods make it a gonum matrix or an image is
// also passed converted to that interface, so that the compiled renderer
// draws it (the conversion gives compiled code a view of the methods).
func (s *Session) finalSource(u *unit, view bool) string {
	expr := strings.TrimSpace(u.Plain)
	typ := s.staticType(expr)
	if typ == "" {
		return u.Src
	}
	methods := s.methodsOf(typ)
	viewExpr := "nil"
	if view {
		for _, iv := range duckViews {
			all := true
			for _, m := range iv.methods {
				all = all && methods[m]
			}
			if all {
				viewExpr = iv.conv + "(_gonoteV)"
				break
			}
		}
	}
	var found []string
	for _, m := range duckMethods {
		if methods[m] {
			found = append(found, m)
		}
	}
	names := make([]string, len(found))
	calls := make([]string, len(found))
	for i, m := range found {
		names[i] = strconv.Quote(m)
		calls[i] = "_gonoteV." + m + "()"
	}
	return fmt.Sprintf("func() { _gonoteV := (%s); %s.ShowDuck(_gonoteV, %s, %q, []string{%s}, []interface{}{%s}) }()",
		expr, rtName, viewExpr, typ, strings.Join(names, ", "), strings.Join(calls, ", "))
}

// staticType returns the name of the cell type of expr ("" if unknown or
// not a cell type).
func (s *Session) staticType(expr string) string {
	e, err := parser.ParseExpr(expr)
	if err != nil {
		return ""
	}
	base := func(t string) string {
		t = strings.TrimPrefix(strings.TrimSpace(t), "*")
		if s.isCellType(t) {
			return t
		}
		return ""
	}
	switch x := e.(type) {
	case *ast.CompositeLit:
		if id, ok := x.Type.(*ast.Ident); ok {
			return base(id.Name)
		}
	case *ast.UnaryExpr:
		if cl, ok := x.X.(*ast.CompositeLit); ok && x.Op == token.AND {
			if id, ok := cl.Type.(*ast.Ident); ok {
				return base(id.Name)
			}
		}
	case *ast.Ident:
		s.led.mu.Lock()
		v := s.led.vars[x.Name]
		c := s.cellDecls[x.Name]
		if c == nil {
			c = s.led.decls[x.Name]
		}
		s.led.mu.Unlock()
		if c != nil && (c.Kind == "const" || c.Kind == "var") {
			return base(c.Type) // defined by the running cell (or a const)
		}
		if v != nil {
			return base(v.TypeExpr)
		}
	case *ast.CallExpr:
		id, ok := x.Fun.(*ast.Ident)
		if !ok {
			return ""
		}
		if t := base(id.Name); t != "" {
			return t // a conversion
		}
		s.led.mu.Lock()
		fe := s.led.decls[id.Name]
		if fe == nil {
			fe = s.cellDecls[id.Name]
		}
		s.led.mu.Unlock()
		if fe != nil && fe.Kind == "func" {
			return base(singleResult(fe.Src))
		}
	}
	return ""
}

// singleResult returns the result type of a one-result function declaration.
func singleResult(src string) string {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", "package main\n"+src, 0)
	if err != nil || len(f.Decls) == 0 {
		return ""
	}
	fd, ok := f.Decls[0].(*ast.FuncDecl)
	if !ok || fd.Type.Results == nil || len(fd.Type.Results.List) != 1 || len(fd.Type.Results.List[0].Names) > 1 {
		return ""
	}
	return nodeText(fset, fd.Type.Results.List[0].Type)
}

func (s *Session) isCellType(name string) bool {
	s.led.mu.Lock()
	defer s.led.mu.Unlock()
	if e, ok := s.led.decls[name]; ok && e.Kind == "type" {
		return true
	}
	e, ok := s.cellDecls[name]
	return ok && e.Kind == "type"
}

// methodsOf lists the method names of a cell type (ledger and current cell).
func (s *Session) methodsOf(typ string) map[string]bool {
	s.led.mu.Lock()
	defer s.led.mu.Unlock()
	out := map[string]bool{}
	for _, tbl := range []map[string]*ledgerEntry{s.led.decls, s.cellDecls} {
		for _, e := range tbl {
			if e.Kind == "method" && e.Recv == typ {
				out[e.Name[strings.LastIndexByte(e.Name, '.')+1:]] = true
			}
		}
	}
	return out
}

// internalCompilerError recognises a panic of yaegi's compiler (reported
// as an error by the recover in compile).
func internalCompilerError(err error) bool {
	msg := err.Error()
	return strings.HasPrefix(msg, "runtime error:") || strings.HasPrefix(msg, "reflect") ||
		strings.Contains(msg, "nil reflect type")
}

// globalScopeBug recognises yaegi's failures on definitions that compile
// inside a function.
func globalScopeBug(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "nil reflect type") || strings.Contains(msg, "nil type") || strings.Contains(msg, "definition loop") ||
		strings.Contains(msg, "invalid memory address or nil pointer dereference") ||
		// The type of a global defined by a call instantiated with two or
		// more type arguments: x := Map[float64, string](xs, f).
		strings.Contains(msg, "not a generic type")
}

// stashSource wraps a definition in a function that passes pointers to its
// variables to the runtime.
func stashSource(u *unit) string {
	ptrs := make([]string, len(u.VarNames))
	for i, n := range u.VarNames {
		ptrs[i] = "&" + n
	}
	src := u.Src
	if u.Kind == unitDecl {
		// yaegi computes a wrong value for var x = genericCall() inside a
		// function; the short form works.
		src = varShortForm.ReplaceAllString(src, "$1 := ")
	}
	return "func() { " + src + "\n" + rtName + ".Stash(" + strings.Join(ptrs, ", ") + ") }()"
}

var varShortForm = regexp.MustCompile(`^var\s+([\pL_][\pL\pN_]*(?:\s*,\s*[\pL_][\pL\pN_]*)*)\s*=\s*`)

// declareStashed declares the globals of a stashed unit with the static
// types observed through the pointers, and copies the values.
func (s *Session) declareStashed(u *unit, cell int, code string) *CellError {
	s.mu.Lock()
	ptrs := s.stash
	s.stash = nil
	s.mu.Unlock()
	if len(ptrs) != len(u.VarNames) {
		return s.compileErr(cell, code, u.Line, u.Col, "internal: the definition did not report its variables")
	}
	for i, name := range u.VarNames {
		pv := reflect.ValueOf(ptrs[i])
		t := pv.Type().Elem()
		typ := compiledTypeString(t, s.imports)
		if typ == "" {
			return s.compileErr(cell, code, u.Line, u.Col, fmt.Sprintf(
				"the interpreter cannot define %s here (its type %s is defined in a cell); declare it first with var %s T, then assign", name, t, name))
		}
		if _, err := s.compileAndRun(fmt.Sprintf("%s := *new(%s)", name, typ)); err != nil {
			return s.compileErr(cell, code, u.Line, u.Col, fmt.Sprintf("declare %s %s: %v", name, typ, err))
		}
		dst, err := s.compileAndRun("&" + name)
		if err != nil || dst.Kind() != reflect.Pointer {
			return s.compileErr(cell, code, u.Line, u.Col, fmt.Sprintf("declare %s: %v", name, err))
		}
		dst.Elem().Set(pv.Elem())
		if u.DefExpr == nil {
			u.DefExpr = map[string]string{}
		}
		if u.DefExpr[name] == "" {
			u.DefExpr[name] = typ
		}
	}
	return nil
}

// yaegiCompileErr turns an interpreter compile error into a CellError at
// the cell position.
func (s *Session) yaegiCompileErr(err error, u *unit, cell int, code string) *CellError {
	msg := err.Error()
	line, col := u.Line, u.Col
	if m := yaegiPos.FindStringSubmatch(msg); m != nil {
		l, _ := strconv.Atoi(m[1])
		c, _ := strconv.Atoi(m[2])
		msg = msg[len(m[0]):]
		if l >= 2 {
			line, col = l-1, c
		}
	}
	msg = explainCompileError(msg, u)
	if strings.Contains(msg, "constant definition loop") {
		if name := s.undefinedRef(u); name != "" {
			msg = "undefined: " + name
		}
	}
	return s.compileErr(cell, code, line, col, msg)
}

// explainCompileError replaces yaegi messages that mislead.
func explainCompileError(msg string, u *unit) string {
	switch {
	case msg == "nil type" || strings.Contains(msg, "nil type"):
		return "range over an integer or a function is not supported here: the interpreter could not tell the operand's type; write a three-clause loop such as `for i := 0; i < n; i++`"
	case strings.HasPrefix(msg, "import ") && strings.Contains(msg, "unable to find source"):
		return msg[:strings.Index(msg, " error")] + ": package not available; the bundled packages are listed by %help"
	}
	return msg
}

// universe holds Go's predeclared identifiers.
var universe = map[string]bool{
	"bool": true, "byte": true, "complex64": true, "complex128": true, "error": true, "float32": true, "float64": true,
	"int": true, "int8": true, "int16": true, "int32": true, "int64": true, "rune": true, "string": true, "uint": true,
	"uint8": true, "uint16": true, "uint32": true, "uint64": true, "uintptr": true, "any": true, "comparable": true,
	"true": true, "false": true, "iota": true, "nil": true, "append": true, "cap": true, "clear": true, "close": true,
	"complex": true, "copy": true, "delete": true, "imag": true, "len": true, "make": true, "max": true, "min": true,
	"new": true, "panic": true, "print": true, "println": true, "real": true, "recover": true,
}

// undefinedRef returns the one identifier of a unit that nothing defines,
// or "" when there is none or several.
func (s *Session) undefinedRef(u *unit) string {
	p, err := compileCell(u.Src, sessionEnv{s})
	local := map[string]bool{}
	if err == nil {
		for _, pu := range p.Units {
			for _, d := range pu.Defines {
				local[d] = true
			}
		}
	}
	found := ""
	for _, r := range u.Refs {
		if universe[r] || local[r] || s.led.has(r) || r == "ctx" || strings.HasPrefix(r, "_gonote") || r == "main" || r == "_" {
			continue
		}
		if _, ok := s.imports[r]; ok {
			continue
		}
		if found != "" {
			return ""
		}
		found = r
	}
	return found
}

func (s *Session) compileErr(cell int, code string, line, col int, msg string) *CellError {
	tb := []string{fmt.Sprintf("%s, line %d", s.opts.Label(cell), line)}
	tb = append(tb, sourceLines(code, line, col)...)
	tb = append(tb, "CompileError: "+msg)
	return &CellError{Ename: "CompileError", Evalue: msg, Traceback: tb}
}

// sourceLines returns the source line and a caret under col.
func sourceLines(code string, line, col int) []string {
	lines := strings.Split(code, "\n")
	if line < 1 || line > len(lines) {
		return nil
	}
	src := strings.TrimRight(lines[line-1], " \t\r")
	trimmed := strings.TrimLeft(src, " \t")
	if col <= 0 {
		return []string{"    " + trimmed}
	}
	indent := len(src) - len(trimmed)
	caret := col - 1 - indent
	if caret < 0 {
		caret = 0
	}
	if caret > len(trimmed) {
		caret = len(trimmed)
	}
	width := 0
	for _, r := range trimmed[:caret] {
		_ = r
		width++
	}
	return []string{"    " + trimmed, "    " + strings.Repeat(" ", width) + "^"}
}

func (s *Session) doImports(p *plan, cell int, code string) *CellError {
	var specs, specNames []string
	var specLines []int
	var specImports []importSpec
	added := map[string]string{}
	for _, im := range p.Imports {
		name := im.Name
		if name == "" {
			name = lastElem(im.Path)
		}
		if name == "_" || name == "." {
			specs = append(specs, fmt.Sprintf("%s %q", name, im.Path))
			specNames = append(specNames, "")
			specLines = append(specLines, im.Line)
			specImports = append(specImports, im)
			continue
		}
		prev, ok := s.imports[name]
		if !ok {
			prev, ok = added[name]
		}
		if ok {
			if prev == im.Path {
				continue
			}
			return s.compileErr(cell, code, im.Line, 1, fmt.Sprintf("%s is already imported as %q; import %q under another name, e.g. import %s%s %q", name, prev, im.Path, name, "2", im.Path))
		}
		added[name] = im.Path
		specNames = append(specNames, name)
		specLines = append(specLines, im.Line)
		specImports = append(specImports, im)
		if im.Name != "" {
			specs = append(specs, fmt.Sprintf("%s %q", im.Name, im.Path))
		} else {
			specs = append(specs, fmt.Sprintf("%q", im.Path))
		}
	}
	// One import at a time: yaegi keeps the good imports of a block that
	// fails, so a failed block would make them "redeclared" later.
	for i, spec := range specs {
		if _, err := s.compile("import " + spec); err != nil {
			msg := err.Error()
			if m := yaegiPos.FindStringSubmatch(msg); m != nil {
				msg = msg[len(m[0]):]
			}
			return s.compileErr(cell, code, specLines[i], 1, explainCompileError(msg, nil))
		}
		if n := specNames[i]; n != "" {
			s.mu.Lock()
			s.imports[n] = added[n]
			s.mu.Unlock()
		}
		s.led.addImports(specImports[i : i+1])
	}
	return nil
}

// run executes a compiled unit and converts its failure into a CellError.
// A top-level return gives a non-nil error with an empty Ename: the cell
// stops without failing.
func (s *Session) run(ctx context.Context, prog *interp.Program, u *unit, cell int, code string) *CellError {
	mark := s.errf.mark() // frames before belong to earlier, recovered panics
	_, finished, err := executeWatched(ctx, s.in, s.yaegiCtl, prog, s.fireInterrupts)
	if err == nil {
		return nil
	}
	if ctx.Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
		if s.opts.AwaitInterrupted {
			<-finished
		}
		return s.interrupted(cell, u.Line)
	}
	frames := s.errf.since(mark)
	var p interp.Panic
	if errors.As(err, &p) {
		val := p.Value
		if rv, ok := val.(reflect.Value); ok && rv.IsValid() && rv.CanInterface() {
			val = rv.Interface()
		}
		if _, ok := val.(returnSignal); ok {
			return &CellError{}
		}
		return s.panicErr(val, frames, u, cell, code)
	}
	// A compile-time failure at run time (yaegi reports some late).
	return s.yaegiCompileErr(err, u, cell, code)
}

// panicErr builds the error of a panic with a traceback of cell lines.
func (s *Session) panicErr(val any, frames []panicFrame, u *unit, cell int, code string) *CellError {
	ename, evalue := describePanic(val)
	var tb []string
	// yaegi lists frames innermost first; show them outermost first.
	shown := 0
	lastHead, lastAt := "", 0
	for i := len(frames) - 1; i >= 0; i-- {
		fr := frames[i]
		lines := s.frameLines(fr, u, cell, code)
		if lines == nil {
			continue
		}
		if shown > 0 && lines[0] == lastHead {
			// The same line again (a statement run inside a function
			// literal, see unit.InFunc): keep the inner frame only.
			tb = tb[:lastAt]
			shown--
		}
		lastHead, lastAt = lines[0], len(tb)
		tb = append(tb, lines...)
		shown++
	}
	if shown == 0 {
		tb = append(tb, fmt.Sprintf("%s, line %d", s.opts.Label(cell), u.Line))
		tb = append(tb, sourceLines(code, u.Line, u.Col)...)
	}
	tb = append(tb, ename+": "+evalue)
	e := &CellError{Ename: ename, Evalue: evalue, Traceback: tb}
	if ex, ok := val.(exitSignal); ok {
		e.exitCode = ex.code
	}
	return e
}

// frameLines locates one pseudo-traceback frame in the cells.
func (s *Session) frameLines(fr panicFrame, u *unit, cell int, code string) []string {
	name := strings.TrimPrefix(fr.Func, "main")
	name = strings.TrimPrefix(name, ".")
	name = strings.TrimSuffix(name, ".func")
	for strings.HasSuffix(name, ".func") {
		name = strings.TrimSuffix(name, ".func")
	}
	line := fr.Line - 1
	if name == "" || name == "func" {
		if line < u.Line {
			line = u.Line
		}
		out := []string{fmt.Sprintf("%s, line %d", s.opts.Label(cell), line)}
		return append(out, sourceLines(code, line, fr.Col)...)
	}
	if strings.HasPrefix(name, "_gonote") {
		return nil
	}
	e := s.led.lookupFunc(name)
	if e == nil {
		return []string{fmt.Sprintf("in %s", name)}
	}
	src := s.cells[e.Cell]
	// yaegi names the last node that ran in the frame, which in a function
	// is the statement before the one that panicked: show the next line of
	// code.
	col := fr.Col
	if next := nextCodeLine(src, line); next > 0 {
		line, col = next, 0
	}
	out := []string{fmt.Sprintf("%s, line %d, in %s", s.opts.Label(e.Cell), line, name)}
	return append(out, sourceLines(src, line, col)...)
}

// nextCodeLine returns the first line after line that holds code (not
// blank, not only a closing brace or a comment), or 0.
func nextCodeLine(src string, line int) int {
	lines := strings.Split(src, "\n")
	for i := line; i < len(lines); i++ {
		t := strings.TrimSpace(lines[i])
		if t == "" || t == "}" || strings.HasPrefix(t, "//") {
			continue
		}
		return i + 1
	}
	return 0
}

// describePanic names a panic value: a runtime error, an exit, or a panic.
func describePanic(val any) (string, string) {
	switch v := val.(type) {
	case exitSignal:
		return "Exit", fmt.Sprintf("os.Exit(%d) was called; a cell cannot end the kernel, so the cell stopped here", v.code)
	case runtime.Error:
		return "runtime error", strings.TrimPrefix(v.Error(), "runtime error: ")
	case error:
		return describeMessage(v.Error(), "panic")
	case string:
		return describeMessage(v, "panic")
	}
	return "panic", fmt.Sprint(val)
}

// describeMessage maps the messages of yaegi's reflect-based operations to
// the runtime errors Go would report.
func describeMessage(msg, ename string) (string, string) {
	switch {
	case strings.HasPrefix(msg, "reflect: slice index out of range"), strings.HasPrefix(msg, "reflect: array index out of range"),
		strings.HasPrefix(msg, "reflect: string index out of range"):
		return "runtime error", "index out of range"
	case strings.HasPrefix(msg, "reflect: slice bounds out of range"), strings.HasPrefix(msg, "reflect.Value.Slice: slice index out of bounds"):
		return "runtime error", "slice bounds out of range"
	case strings.HasPrefix(msg, "reflect: Call using"), strings.HasPrefix(msg, "reflect: cannot use"):
		return "panic", msg + " (a value of a type defined in a cell passed to a variadic parameter of interface type must be wrapped: write f([]Iface{a, b}...))"
	case strings.HasPrefix(msg, "runtime error: "):
		return "runtime error", strings.TrimPrefix(msg, "runtime error: ")
	case msg == "assignment to entry in nil map":
		return "runtime error", msg
	case strings.Contains(msg, "invalid memory address or nil pointer dereference"), strings.Contains(msg, "on zero Value"):
		return "runtime error", "invalid memory address or nil pointer dereference"
	}
	return ename, msg
}

// armInterrupts gives the starting cell an open interrupt channel.
func (s *Session) armInterrupts() {
	s.intrMu.Lock()
	defer s.intrMu.Unlock()
	if s.interrupts != nil {
		select {
		case <-s.interrupts:
		default:
			return
		}
	}
	s.interrupts = make(chan struct{})
}

// fireInterrupts closes the interrupt channel of the running cell; it is
// called once the interpreter has been stopped, so that interpreted code
// woken by it stops at its next step instead of running on.
func (s *Session) fireInterrupts() {
	s.intrMu.Lock()
	defer s.intrMu.Unlock()
	select {
	case <-s.interrupts:
	default:
		close(s.interrupts)
	}
}

// sleep is time.Sleep for cells: it returns early when the running cell
// is interrupted, so that a sleeping loop stops at once (the interpreter
// stops interpreted code, and every interpreted goroutine, at its next
// step; it cannot cut a compiled call short).
func (s *Session) sleep(d time.Duration) {
	s.intrMu.Lock()
	stop := s.interrupts
	s.intrMu.Unlock()
	if stop == nil || d <= 0 {
		time.Sleep(d)
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-stop:
	}
}

// interrupted is the error of a cell stopped by an interrupt at line.
func (s *Session) interrupted(cell, line int) *CellError {
	return &CellError{Ename: "Interrupted", Evalue: interruptedText,
		Traceback: []string{fmt.Sprintf("%s, line %d", s.opts.Label(cell), line), "Interrupted"}}
}

// emitResult shows a final value.
func (s *Session) emitResult(b display.Bundle) {
	s.mu.Lock()
	quiet := s.quiet
	s.mu.Unlock()
	if s.Hooks.Result != nil && !quiet {
		s.Hooks.Result(b)
	}
}

// goroutine runs f in a goroutine that reports a panic instead of killing
// the process.
func (s *Session) goroutine(f func()) {
	s.mu.Lock()
	cell, tag := s.cellNum, s.tag
	s.mu.Unlock()
	mark := s.errf.mark()
	go func() {
		defer func() {
			r := recover()
			if r == nil {
				return
			}
			if rv, ok := r.(reflect.Value); ok && rv.IsValid() && rv.CanInterface() {
				r = rv.Interface()
			}
			if p, ok := r.(interp.Panic); ok {
				r = p.Value
			}
			ename, evalue := describePanic(r)
			e := &CellError{Ename: ename, Evalue: "in a goroutine started by " + s.opts.Label(cell) + ": " + evalue, tag: tag}
			e.Traceback = []string{fmt.Sprintf("goroutine started in %s", s.opts.Label(cell))}
			// yaegi's pseudo-traceback of the goroutine names the functions
			// of earlier cells it went through.
			frames := s.errf.since(mark)
			for i := len(frames) - 1; i >= 0; i-- {
				if fr := frames[i]; strings.TrimPrefix(fr.Func, "main.") != fr.Func && !strings.HasSuffix(fr.Func, ".func") {
					s.mu.Lock()
					code := s.cells[cell]
					s.mu.Unlock()
					e.Traceback = append(e.Traceback, s.frameLines(fr, &unit{Line: 1, Col: 1}, cell, code)...)
				}
			}
			e.Traceback = append(e.Traceback, ename+": "+e.Evalue)
			s.mu.Lock()
			running := s.running && s.cellNum == cell && s.tag == tag
			if running {
				s.goPanics = append(s.goPanics, e)
			}
			s.mu.Unlock()
			if !running && s.Hooks.AsyncError != nil {
				s.Hooks.AsyncError(e)
			}
		}()
		f()
	}()
}

// deferCall records a top-level defer; it runs when the cell ends.
func (s *Session) deferCall(f func()) {
	s.mu.Lock()
	s.deferred = append(s.deferred, f)
	s.mu.Unlock()
}

func (s *Session) runDeferred(cell int, code string) (cerr *CellError) {
	s.mu.Lock()
	fs := s.deferred
	s.deferred = nil
	s.mu.Unlock()
	for i := len(fs) - 1; i >= 0; i-- {
		func() {
			defer func() {
				if r := recover(); r != nil && cerr == nil {
					ename, evalue := describePanic(r)
					cerr = &CellError{Ename: ename, Evalue: "in a deferred call: " + evalue, Traceback: []string{s.opts.Label(cell), ename + ": in a deferred call: " + evalue}}
				}
			}()
			fs[i]()
		}()
	}
	return cerr
}

// refreshTypes records the reflect types of the globals (for completion,
// %who and the range rewrite).
func (s *Session) refreshTypes() {
	g := s.globals()
	types := make(map[string]reflect.Type, len(g))
	values := make(map[string]string, len(g))
	for name, v := range g {
		if v.IsValid() && !strings.HasPrefix(name, "_gonote") {
			types[name] = v.Type()
			values[name] = shortValue(v)
		}
	}
	s.mu.Lock()
	s.types = types
	s.values = values
	s.mu.Unlock()
}

// globals returns the interpreter's global variables. yaegi's Globals
// panics when a compile declared variables that never ran; then each
// variable the ledger knows is read on its own.
func (s *Session) globals() (g map[string]reflect.Value) {
	defer func() {
		if recover() != nil {
			g = map[string]reflect.Value{}
			s.led.mu.Lock()
			var names []string
			for n := range s.led.vars {
				names = append(names, n)
			}
			s.led.mu.Unlock()
			for _, n := range names {
				func() {
					defer func() { recover() }()
					if v, err := s.compileAndRun(n); err == nil && v.IsValid() {
						g[n] = v
					}
				}()
			}
		}
	}()
	return s.in.Globals()
}

// inputReader is the interpreter's standard input: each read with an empty
// buffer asks the front end for a line.
type inputReader struct {
	s   *Session
	buf []byte
	mu  sync.Mutex
}

func (r *inputReader) Read(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.buf) == 0 {
		r.s.mu.Lock()
		allowed := r.s.allowIn
		r.s.mu.Unlock()
		if !allowed || r.s.Hooks.Input == nil {
			return 0, errors.New("standard input is not available: the front end does not allow input (allow_stdin is false)")
		}
		line, err := r.s.Hooks.Input("", false)
		if err != nil {
			return 0, err
		}
		r.buf = []byte(line + "\n")
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	return n, nil
}
