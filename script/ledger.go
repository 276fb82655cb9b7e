package script

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"reflect"
	"sort"
	"strings"
	"sync"
)

// ledgerEntry is a declaration that can be replayed: func, method, type or
// const.
type ledgerEntry struct {
	Kind string   `json:"kind"`
	Name string   `json:"name"`
	Recv string   `json:"recv,omitempty"`
	Src  string   `json:"src"`
	Cell int      `json:"cell"`
	Line int      `json:"line"`
	Refs []string `json:"refs,omitempty"`
	Seq  int      `json:"seq"`
	Type string   `json:"type,omitempty"` // the type of a const, when written
}

// varEntry is a global variable: its value cannot be replayed, only
// carried over (in process) or declared again with its type.
type varEntry struct {
	Name     string `json:"name"`
	Cell     int    `json:"cell"`
	TypeExpr string `json:"type,omitempty"`
	Seq      int    `json:"seq"`
}

// ledger records what the session's cells defined, so that redefinitions
// rebind dependents and a new interpreter can be rebuilt.
type ledger struct {
	mu      sync.Mutex
	imports []importSpec
	decls   map[string]*ledgerEntry
	vars    map[string]*varEntry
	cellSrc map[int]string
	seq     int
	// gen counts changes, so that an unchanged ledger is not sent again
	// after every cell (see Session.SnapshotIfChanged).
	gen uint64
}

func newLedger() *ledger {
	return &ledger{decls: map[string]*ledgerEntry{}, vars: map[string]*varEntry{}, cellSrc: map[int]string{}}
}

// ledgerState is a copy of the ledger's tables, to undo a cell.
type ledgerState struct {
	imports []importSpec
	decls   map[string]*ledgerEntry
	vars    map[string]*varEntry
	seq     int
}

func (l *ledger) save() ledgerState {
	l.mu.Lock()
	defer l.mu.Unlock()
	st := ledgerState{imports: append([]importSpec(nil), l.imports...), decls: map[string]*ledgerEntry{}, vars: map[string]*varEntry{}, seq: l.seq}
	for k, v := range l.decls {
		st.decls[k] = v
	}
	for k, v := range l.vars {
		st.vars[k] = v
	}
	return st
}

func (l *ledger) restore(st ledgerState) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.gen++
	l.imports, l.decls, l.vars, l.seq = st.imports, st.decls, st.vars, st.seq
}

func (l *ledger) has(name string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.vars[name]; ok {
		return true
	}
	e, ok := l.decls[name]
	return ok && e.Kind != "method"
}

// varTypeExpr returns the type a global variable was declared with, or "".
func (l *ledger) varTypeExpr(name string) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if v, ok := l.vars[name]; ok {
		return v.TypeExpr
	}
	return ""
}

func (l *ledger) isVar(name string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	_, ok := l.vars[name]
	return ok
}

func (l *ledger) addImports(specs []importSpec) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, im := range specs {
		dup := false
		for _, old := range l.imports {
			if old.Name == im.Name && old.Path == im.Path {
				dup = true
			}
		}
		if !dup {
			l.imports = append(l.imports, importSpec{Name: im.Name, Path: im.Path})
			l.gen++
		}
	}
}

// redefinitions lists the names a plan declares that the ledger already has.
func (l *ledger) redefinitions(p *plan) map[string]bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := map[string]bool{}
	for _, u := range p.Units {
		for _, d := range u.Decls {
			if e, ok := l.decls[d.Name]; ok && !(e.Kind == d.Kind && e.Src == d.Src) {
				// A declaration run again unchanged (a re-executed cell)
				// is not a redefinition.
				out[d.Name] = true
			}
			if _, ok := l.vars[d.Name]; ok {
				out[d.Name] = true
			}
		}
		for _, n := range u.Defines {
			if _, ok := l.vars[n]; ok {
				out[n] = true
			}
			if _, ok := l.decls[n]; ok {
				out[n] = true
			}
		}
	}
	return out
}

// dependentsLocked returns the entries that use the names (transitively),
// excluding the names themselves.
func (l *ledger) dependentsLocked(names map[string]bool) []*ledgerEntry {
	bad := map[string]bool{}
	for n := range names {
		bad[n] = true
	}
	var out []*ledgerEntry
	inOut := map[string]bool{}
	for changed := true; changed; {
		changed = false
		for name, e := range l.decls {
			if bad[name] && names[name] || inOut[name] {
				continue
			}
			uses := bad[e.Recv]
			for _, r := range e.Refs {
				if bad[r] {
					uses = true
				}
			}
			if uses {
				inOut[name] = true
				out = append(out, e)
				if e.Kind != "method" {
					bad[name] = true
				}
				changed = true
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
	return out
}

func (l *ledger) dependents(names map[string]bool) []*ledgerEntry {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.dependentsLocked(names)
}

// needsRebuild reports whether redefining names needs a new interpreter:
// yaegi keeps the first definition of a type or method, so any type or
// method among the names or their dependents forces a rebuild.
func (l *ledger) needsRebuild(names map[string]bool) bool {
	if len(names) == 0 {
		return false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for n := range names {
		if e, ok := l.decls[n]; ok && (e.Kind == "type" || e.Kind == "method") {
			return true
		}
		if strings.Contains(n, ".") {
			return true
		}
	}
	for _, e := range l.dependentsLocked(names) {
		if e.Kind == "type" || e.Kind == "method" {
			return true
		}
	}
	return false
}

// record adds what a unit defined.
func (l *ledger) record(p *plan, u *unit, cell int, s *Session) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(u.Decls) > 0 || len(u.Defines) > 0 {
		l.gen++
	}
	for _, d := range u.Decls {
		l.seq++
		if d.Name == mainRenamed {
			continue
		}
		if d.Kind == "var" {
			delete(l.decls, d.Name)
			typ := d.TypeExpr
			if typ == "" {
				typ = u.DefExpr[d.Name]
			}
			l.vars[d.Name] = &varEntry{Name: d.Name, Cell: cell, TypeExpr: typ, Seq: l.seq}
			l.cellSrc[cell] = s.cells[cell]
			continue
		}
		delete(l.vars, d.Name)
		l.decls[d.Name] = &ledgerEntry{Kind: d.Kind, Name: d.Name, Recv: d.Recv, Src: d.Src, Cell: cell, Line: d.Line, Refs: d.Refs, Seq: l.seq, Type: d.TypeExpr}
	}
	for _, n := range u.Defines {
		l.seq++
		if e, ok := l.decls[n]; ok && e.Kind != "method" {
			delete(l.decls, n)
		}
		typ := u.DefExpr[n]
		if old, ok := l.vars[n]; ok && typ == "" && u.Src != "" && strings.Contains(u.Src, "=") && !strings.Contains(u.Src, ":=") {
			typ = old.TypeExpr
		}
		l.vars[n] = &varEntry{Name: n, Cell: cell, TypeExpr: typ, Seq: l.seq}
		l.cellSrc[cell] = s.cells[cell]
	}
}

// lookupFunc finds the entry of a function or method (by method name).
func (l *ledger) lookupFunc(name string) *ledgerEntry {
	l.mu.Lock()
	defer l.mu.Unlock()
	if e, ok := l.decls[name]; ok {
		return e
	}
	var best *ledgerEntry
	for k, e := range l.decls {
		if e.Kind == "method" && strings.HasSuffix(k, "."+name) && (best == nil || e.Seq > best.Seq) {
			best = e
		}
	}
	return best
}

// replayItem is a declaration or a variable, in dependency order.
type replayItem struct {
	entry *ledgerEntry
	v     *varEntry
}

func (r replayItem) name() string {
	if r.entry != nil {
		return r.entry.Name
	}
	return r.v.Name
}

func (r replayItem) seq() int {
	if r.entry != nil {
		return r.entry.Seq
	}
	return r.v.Seq
}

func (r replayItem) refs() []string {
	if r.entry != nil {
		refs := r.entry.Refs
		if r.entry.Recv != "" {
			refs = append(append([]string(nil), refs...), r.entry.Recv)
		}
		return refs
	}
	return typeRefs(r.v.TypeExpr)
}

// typeRefs lists the identifiers of a type expression.
func typeRefs(expr string) []string {
	if expr == "" {
		return nil
	}
	e, err := parser.ParseExpr(expr)
	if err != nil {
		return nil
	}
	var out []string
	ast.Inspect(e, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.SelectorExpr:
			if id, ok := x.X.(*ast.Ident); ok {
				out = append(out, id.Name)
			}
			return false
		case *ast.Ident:
			out = append(out, x.Name)
		}
		return true
	})
	return out
}

// orderItems sorts items so that each comes after what it refers to,
// keeping the definition order otherwise.
func orderItems(items []replayItem) []replayItem {
	sort.Slice(items, func(i, j int) bool { return items[i].seq() < items[j].seq() })
	byName := map[string][]int{}
	for i, it := range items {
		byName[it.name()] = append(byName[it.name()], i)
	}
	state := make([]int, len(items)) // 0 new, 1 visiting, 2 done
	var out []replayItem
	var visit func(i int)
	visit = func(i int) {
		if state[i] != 0 {
			return
		}
		state[i] = 1
		for _, r := range items[i].refs() {
			for _, j := range byName[r] {
				if j != i {
					visit(j)
				}
			}
		}
		// Methods come after their receiver type.
		state[i] = 2
		out = append(out, items[i])
	}
	for i := range items {
		visit(i)
	}
	return out
}

// rebuild replaces the interpreter with a new one holding the ledger's
// imports and declarations, except the redefined names and what depends on
// them (replayed after the cell), and carries variable values over. It
// returns the variables that could not be carried.
func (s *Session) rebuild(redefs map[string]bool) ([]string, error) {
	old := s.in
	oldGlobals := s.globals()
	l := s.led
	l.mu.Lock()
	deps := l.dependentsLocked(redefs)
	skip := map[string]bool{}
	for n := range redefs {
		skip[n] = true
	}
	for _, d := range deps {
		skip[d.Name] = true
	}
	var items []replayItem
	for name, e := range l.decls {
		if !skip[name] && !(e.Kind == "method" && skip[e.Recv]) {
			items = append(items, replayItem{entry: e})
		}
	}
	for name, v := range l.vars {
		if !skip[name] {
			items = append(items, replayItem{v: v})
		}
	}
	imports := append([]importSpec(nil), l.imports...)
	l.mu.Unlock()

	if err := s.newInterpreter(); err != nil {
		s.in = old
		return nil, err
	}
	if err := s.replayImports(imports); err != nil {
		return nil, err
	}
	var reset []string
	skipTypes := map[string]bool{}
	for n := range skip {
		skipTypes[n] = true
	}
	for _, it := range orderItems(items) {
		if it.entry != nil {
			if _, err := s.compileAndRun(padded(it.entry.Src, it.entry.Line, 1)); err != nil {
				s.dropEntry(it.entry, err)
			}
			continue
		}
		v := it.v
		ok := s.declareVar(v, oldGlobals[v.Name], skipTypes)
		if !ok {
			reset = append(reset, v.Name)
		}
	}
	sort.Strings(reset)
	return reset, nil
}

// declareVar declares a variable in the current interpreter and copies its
// old value when the types allow.
func (s *Session) declareVar(v *varEntry, old reflect.Value, skipTypes map[string]bool) bool {
	typ := v.TypeExpr
	if typ == "" && old.IsValid() {
		typ = compiledTypeString(old.Type(), s.imports)
	}
	for _, r := range typeRefs(typ) {
		if skipTypes[r] {
			// The type is being redefined: declare it after the cell.
			return false
		}
	}
	if typ == "" {
		return false
	}
	if _, err := s.compileAndRun(fmt.Sprintf("var %s %s", v.Name, typ)); err != nil {
		return false
	}
	if !old.IsValid() {
		return false
	}
	p, err := s.compileAndRun("&" + v.Name)
	if err != nil || !p.IsValid() || p.Kind() != reflect.Pointer {
		return false
	}
	dst := p.Elem()
	if !old.Type().AssignableTo(dst.Type()) || old.Kind() == reflect.Func {
		return false
	}
	dst.Set(old)
	return true
}

// compiledTypeString writes a reflect type as Go source when it contains
// no type defined in a cell (those are anonymous structs to reflect) and
// its packages are imported under their names.
func compiledTypeString(t reflect.Type, imports map[string]string) string {
	ok := true
	var walk func(t reflect.Type, depth int)
	walk = func(t reflect.Type, depth int) {
		if depth > 10 || !ok {
			ok = false
			return
		}
		if t.Name() != "" {
			if t.PkgPath() != "" {
				if strings.Contains(t.String(), "[") {
					ok = false // an instantiated generic type
					return
				}
				name := lastElem(t.PkgPath())
				if imports[name] != t.PkgPath() {
					ok = false
				}
			}
			return
		}
		switch t.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Array, reflect.Chan:
			walk(t.Elem(), depth+1)
		case reflect.Map:
			walk(t.Key(), depth+1)
			walk(t.Elem(), depth+1)
		case reflect.Func:
			for i := 0; i < t.NumIn(); i++ {
				walk(t.In(i), depth+1)
			}
			for i := 0; i < t.NumOut(); i++ {
				walk(t.Out(i), depth+1)
			}
		case reflect.Struct, reflect.Interface:
			ok = false
		}
	}
	walk(t, 0)
	if !ok {
		return ""
	}
	return t.String()
}

func (s *Session) replayImports(imports []importSpec) error {
	var specs []string
	for _, im := range imports {
		if im.Name != "" {
			specs = append(specs, fmt.Sprintf("%s %q", im.Name, im.Path))
		} else {
			specs = append(specs, fmt.Sprintf("%q", im.Path))
		}
		name := im.Name
		if name == "" {
			name = lastElem(im.Path)
		}
		if name != "_" && name != "." {
			s.mu.Lock()
			s.imports[name] = im.Path
			s.mu.Unlock()
		}
	}
	if len(specs) == 0 {
		return nil
	}
	if _, err := s.compileAndRun("import (\n" + strings.Join(specs, "\n") + "\n)"); err != nil {
		return fmt.Errorf("script: restore imports: %w", err)
	}
	return nil
}

// compileAndRun evaluates src, recovering compiler panics.
func (s *Session) compileAndRun(src string) (reflect.Value, error) {
	prog, err := s.compile(src)
	if err != nil {
		return reflect.Value{}, err
	}
	return s.in.Execute(prog)
}

func (s *Session) dropEntry(e *ledgerEntry, err error) {
	s.led.mu.Lock()
	if cur, ok := s.led.decls[e.Name]; ok && cur == e {
		delete(s.led.decls, e.Name)
		s.led.gen++
	}
	s.led.mu.Unlock()
	fmt.Fprintf(s.opts.Stderr, "note: %s %s (from %s) no longer compiles and was removed: %v\n", e.Kind, e.Name, s.opts.Label(e.Cell), err)
}

// reevaluate evaluates entries again so that they bind to the current
// definitions; an entry that no longer compiles is removed with a note.
func (s *Session) reevaluate(entries []*ledgerEntry, cell int) *CellError {
	items := make([]replayItem, 0, len(entries))
	for _, e := range entries {
		s.led.mu.Lock()
		cur := s.led.decls[e.Name]
		s.led.mu.Unlock()
		if cur != e {
			continue // redefined by this cell
		}
		items = append(items, replayItem{entry: e})
	}
	dropped := false
	for _, it := range orderItems(items) {
		if _, err := s.compileAndRun(padded(it.entry.Src, it.entry.Line, 1)); err != nil {
			s.dropEntry(it.entry, err)
			dropped = true
		}
	}
	if dropped {
		// yaegi keeps a half-compiled declaration: start again without it.
		s.restoreAfterFailedCompile()
	}
	return nil
}

// restoreAfterFailedCompile undoes what a cell that failed to compile left
// in the interpreter (yaegi declares names while compiling).
func (s *Session) restoreAfterFailedCompile() {
	if _, err := s.rebuild(map[string]bool{}); err != nil {
		fmt.Fprintf(s.opts.Stderr, "note: could not restore the session after the failed cell: %v\n", err)
	}
}

// redeclareReset declares the variables a type redefinition reset, with
// the zero value of their (new) type, and says so; a variable whose type
// no longer exists is removed.
func (s *Session) redeclareReset(names []string) {
	var zeroed, removed []string
	for _, n := range names {
		s.led.mu.Lock()
		v := s.led.vars[n]
		s.led.mu.Unlock()
		if v != nil && v.TypeExpr != "" {
			if _, err := s.compileAndRun(fmt.Sprintf("var %s %s", n, v.TypeExpr)); err == nil {
				zeroed = append(zeroed, n)
				continue
			}
		}
		s.led.mu.Lock()
		delete(s.led.vars, n)
		s.led.gen++
		s.led.mu.Unlock()
		removed = append(removed, n)
	}
	if len(zeroed) > 0 {
		fmt.Fprintf(s.opts.Stderr, "note: redefinition rebuilt the session; these variables were reset to zero: %s\n", strings.Join(zeroed, ", "))
	}
	if len(removed) > 0 {
		fmt.Fprintf(s.opts.Stderr, "note: redefinition rebuilt the session; these variables were removed (their type is gone): %s\n", strings.Join(removed, ", "))
	}
}

// snapshot is the ledger as sent to the supervisor (EventLedger) and given
// back after a runner restart (KindRestore).
type snapshot struct {
	Imports []importSpec   `json:"imports"`
	Decls   []*ledgerEntry `json:"decls"`
	Vars    []*varEntry    `json:"vars"`
	Cells   map[int]string `json:"cells,omitempty"`
}

// Snapshot returns the ledger as JSON.
func (s *Session) Snapshot() ([]byte, error) {
	l := s.led
	l.mu.Lock()
	snap := snapshot{Imports: append([]importSpec(nil), l.imports...), Cells: map[int]string{}}
	for _, e := range l.decls {
		snap.Decls = append(snap.Decls, e)
	}
	for _, v := range l.vars {
		snap.Vars = append(snap.Vars, v)
		if src, ok := l.cellSrc[v.Cell]; ok {
			snap.Cells[v.Cell] = src
		}
	}
	l.mu.Unlock()
	sort.Slice(snap.Decls, func(i, j int) bool { return snap.Decls[i].Seq < snap.Decls[j].Seq })
	sort.Slice(snap.Vars, func(i, j int) bool { return snap.Vars[i].Seq < snap.Vars[j].Seq })
	b, err := json.Marshal(snap)
	if err != nil {
		return nil, fmt.Errorf("script: encode ledger: %w", err)
	}
	return b, nil
}

// SnapshotIfChanged returns the ledger as JSON when it changed since the
// last call (or the ledger was replaced by %reset), and nil otherwise.
func (s *Session) SnapshotIfChanged() ([]byte, error) {
	s.mu.Lock()
	l := s.led
	s.mu.Unlock()
	l.mu.Lock()
	gen := l.gen
	l.mu.Unlock()
	if l == s.sentLed && gen == s.sentGen {
		return nil, nil
	}
	b, err := s.Snapshot()
	if err != nil {
		return nil, err
	}
	s.sentLed, s.sentGen = l, gen
	return b, nil
}

// Restore rebuilds imports and declarations from a snapshot of a runner
// that died. Variables are declared again with their zero value when their
// type is known; all of them are reported lost.
func (s *Session) Restore(data []byte) (declarations int, lost []string, err error) {
	var snap snapshot
	if err := json.Unmarshal(data, &snap); err != nil {
		return 0, nil, fmt.Errorf("script: decode ledger: %w", err)
	}
	s.cellMu.Lock()
	defer s.cellMu.Unlock()
	l := s.led
	l.mu.Lock()
	l.imports = nil
	l.decls = map[string]*ledgerEntry{}
	l.vars = map[string]*varEntry{}
	l.cellSrc = map[int]string{}
	l.gen++
	for k, v := range snap.Cells {
		l.cellSrc[k] = v
	}
	l.mu.Unlock()
	if err := s.replayImports(snap.Imports); err != nil {
		return 0, nil, err
	}
	l.addImports(snap.Imports)
	declarations = len(snap.Imports)
	var items []replayItem
	maxSeq := 0
	for _, e := range snap.Decls {
		items = append(items, replayItem{entry: e})
		maxSeq = max(maxSeq, e.Seq)
	}
	for _, v := range snap.Vars {
		items = append(items, replayItem{v: v})
		maxSeq = max(maxSeq, v.Seq)
	}
	var problems []string
	for _, it := range orderItems(items) {
		if e := it.entry; e != nil {
			if _, err := s.compileAndRun(padded(e.Src, e.Line, 1)); err != nil {
				problems = append(problems, fmt.Sprintf("%s %s: %v", e.Kind, e.Name, err))
				continue
			}
			l.mu.Lock()
			l.decls[e.Name] = e
			l.mu.Unlock()
			declarations++
			continue
		}
		v := it.v
		lost = append(lost, v.Name)
		l.mu.Lock()
		l.vars[v.Name] = v
		l.mu.Unlock()
		if v.TypeExpr != "" {
			if _, err := s.compileAndRun(fmt.Sprintf("var %s %s", v.Name, v.TypeExpr)); err != nil {
				problems = append(problems, fmt.Sprintf("var %s: %v", v.Name, err))
			}
		}
	}
	l.mu.Lock()
	l.seq = maxSeq
	l.gen++
	l.mu.Unlock()
	s.refreshTypes()
	sort.Strings(lost)
	s.mu.Lock()
	s.lost = lost
	s.mu.Unlock()
	if len(problems) > 0 {
		return declarations, lost, fmt.Errorf("script: not restored: %s", strings.Join(problems, "; "))
	}
	return declarations, lost, nil
}

// isStructType reports whether name is a type declared as a struct.
func (l *ledger) isStructType(name string) bool {
	l.mu.Lock()
	e, ok := l.decls[name]
	l.mu.Unlock()
	if !ok || e.Kind != "type" {
		return false
	}
	f, err := parseDecls(e.Src)
	if err != nil || len(f.Decls) == 0 {
		return false
	}
	gd, ok := f.Decls[0].(*ast.GenDecl)
	if !ok || len(gd.Specs) == 0 {
		return false
	}
	ts, ok := gd.Specs[0].(*ast.TypeSpec)
	if !ok {
		return false
	}
	_, isStruct := ts.Type.(*ast.StructType)
	return isStruct
}
