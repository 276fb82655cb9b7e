package script

import (
	"context"
	"encoding/json"
	"fmt"
	"go/parser"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/gonote/gonote/display"
	"github.com/gonote/gonote/kernel/runproto"
)

// notebookRun executes a notebook headless and writes it, with outputs, to
// o.OutNotebook. A code cell tagged "parameters" is followed by an
// injected cell that assigns the -p values (tagged "injected-parameters").
// Execution stops at the first failing cell; the notebook is written in any
// case and the status is 1 after a failure.
func notebookRun(o RunOptions, src []byte) int {
	var nb map[string]any
	if err := json.Unmarshal(src, &nb); err != nil {
		fmt.Fprintf(o.Stderr, "gonote run: %s: not a notebook: %v\n", o.Path, err)
		return 1
	}
	cells, _ := nb["cells"].([]any)
	cells, err := injectParameters(cells, o.Params)
	if err != nil {
		fmt.Fprintf(o.Stderr, "gonote run: %v\n", err)
		return 1
	}
	nb["cells"] = cells

	abs, err := filepath.Abs(o.Path)
	if err != nil {
		fmt.Fprintf(o.Stderr, "gonote run: %v\n", err)
		return 1
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		fmt.Fprintf(o.Stderr, "gonote run: %v\n", err)
		return 1
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		fmt.Fprintf(o.Stderr, "gonote run: %v\n", err)
		return 1
	}
	rec := &outputRecorder{stdout: o.Stdout, stderr: o.Stderr, outW: outW, errW: errW}
	rec.cond = sync.NewCond(&rec.mu)
	go rec.read("stdout", outR, o.Stdout)
	go rec.read("stderr", errR, o.Stderr)
	prev := display.SetSink(rec)
	defer display.SetSink(prev)

	name := filepath.Base(o.Path)
	sess, err := NewSession(Options{Stdout: outW, Stderr: errW, Dir: filepath.Dir(abs),
		Label: func(n int) string { return fmt.Sprintf("%s, cell %d", name, n) }, Args: []string{o.Path}})
	if err != nil {
		fmt.Fprintf(o.Stderr, "gonote run: %v\n", err)
		return 1
	}
	defer sess.Close()
	rec.flushErr = sess.errf.sync
	sess.Hooks.Result = func(b display.Bundle) { rec.add("execute_result", b, "") }
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	status := 0
	count := 0
	for _, c := range cells {
		cell, ok := c.(map[string]any)
		if !ok || cell["cell_type"] != "code" {
			continue
		}
		count++
		code := cellSource(cell["source"])
		rec.start(count)
		e := runCell(ctx, sess, code, count, false)
		sess.errf.sync()
		rec.finish()
		outputs := rec.take()
		if e != nil {
			tb := e.Traceback
			if tb == nil {
				tb = []string{e.Ename + ": " + e.Evalue}
			}
			outputs = append(outputs, map[string]any{"output_type": "error", "ename": e.Ename, "evalue": e.Evalue, "traceback": tb})
			printError(o.Stderr, e)
		}
		cell["outputs"] = outputs
		cell["execution_count"] = count
		if e != nil {
			status = exitStatus(e)
			break
		}
	}
	data, err := json.MarshalIndent(nb, "", " ")
	if err != nil {
		fmt.Fprintf(o.Stderr, "gonote run: encode notebook: %v\n", err)
		return 1
	}
	if o.OutNotebook == "" {
		return status
	}
	if err := os.WriteFile(o.OutNotebook, append(data, '\n'), 0o644); err != nil {
		fmt.Fprintf(o.Stderr, "gonote run: %v\n", err)
		return 1
	}
	fmt.Fprintf(o.Stderr, "wrote %s\n", o.OutNotebook)
	return status
}

// cellSource joins a cell source given as a string or a list of lines.
func cellSource(src any) string {
	switch s := src.(type) {
	case string:
		return s
	case []any:
		var b strings.Builder
		for _, line := range s {
			if t, ok := line.(string); ok {
				b.WriteString(t)
			}
		}
		return b.String()
	}
	return ""
}

func hasTag(cell map[string]any, tag string) bool {
	md, _ := cell["metadata"].(map[string]any)
	tags, _ := md["tags"].([]any)
	for _, t := range tags {
		if t == tag {
			return true
		}
	}
	return false
}

// injectParameters inserts, after the cell tagged "parameters", a cell that
// assigns the parameters. A value that is a Go expression is used as
// written; anything else becomes a string literal.
func injectParameters(cells []any, params []string) ([]any, error) {
	if len(params) == 0 {
		return cells, nil
	}
	var lines []string
	for _, p := range params {
		name, value, ok := strings.Cut(p, "=")
		name = strings.TrimSpace(name)
		if !ok || name == "" {
			return nil, fmt.Errorf("parameter %q: want -p name=value", p)
		}
		if _, err := parser.ParseExpr(value); err != nil {
			value = strconv.Quote(value)
		}
		lines = append(lines, name+" = "+value)
	}
	for i, c := range cells {
		cell, ok := c.(map[string]any)
		if !ok || cell["cell_type"] != "code" || !hasTag(cell, "parameters") {
			continue
		}
		injected := map[string]any{
			"id": "injected-parameters", "cell_type": "code", "execution_count": nil, "outputs": []any{},
			"metadata": map[string]any{"tags": []any{"injected-parameters"}},
			"source":   strings.Join(lines, "\n"),
		}
		out := append([]any{}, cells[:i+1]...)
		out = append(out, injected)
		return append(out, cells[i+1:]...), nil
	}
	return nil, fmt.Errorf("-p given but no code cell is tagged \"parameters\"")
}

// outputRecorder collects a cell's outputs in order: stream text (also
// echoed to the terminal), displays and its result. It is the display sink
// while a notebook runs.
type outputRecorder struct {
	stdout, stderr io.Writer
	outW, errW     *os.File // the session's streams, for sync markers
	flushErr       func()   // flushes the session's stderr filter

	mu      sync.Mutex
	cond    *sync.Cond
	cell    int
	outputs []any
	seen    map[string]uint64
	sync    uint64
}

func (r *outputRecorder) start(cell int) {
	r.mu.Lock()
	r.cell = cell
	r.outputs = nil
	r.mu.Unlock()
}

// read splits one stream at sync markers and appends its text as stream
// outputs.
func (r *outputRecorder) read(name string, f *os.File, echo io.Writer) {
	var sc runproto.MarkerScanner
	buf := make([]byte, 32<<10)
	for {
		n, err := f.Read(buf)
		texts, markers := sc.Feed(buf[:n])
		r.mu.Lock()
		for i, t := range texts {
			if len(t) > 0 {
				echo.Write(t)
				r.appendStream(name, string(t))
			}
			if i < len(markers) {
				if r.seen == nil {
					r.seen = map[string]uint64{}
				}
				r.seen[name] = markers[i]
				r.cond.Broadcast()
			}
		}
		r.mu.Unlock()
		if err != nil {
			return
		}
	}
}

func (r *outputRecorder) appendStream(name, text string) {
	if n := len(r.outputs); n > 0 {
		if last, ok := r.outputs[n-1].(map[string]any); ok && last["output_type"] == "stream" && last["name"] == name {
			last["text"] = last["text"].(string) + text
			return
		}
	}
	r.outputs = append(r.outputs, map[string]any{"output_type": "stream", "name": name, "text": text})
}

// finish waits until both streams have delivered what the cell wrote.
// It is also called before each display so that prints stay in order.
func (r *outputRecorder) finish() {
	if r.flushErr != nil {
		r.flushErr()
	}
	r.mu.Lock()
	r.sync++
	n := r.sync
	r.mu.Unlock()
	r.outW.Write(runproto.SyncMarker(n))
	r.errW.Write(runproto.SyncMarker(n))
	r.mu.Lock()
	for r.seen["stdout"] < n || r.seen["stderr"] < n {
		r.cond.Wait()
	}
	r.mu.Unlock()
}

func (r *outputRecorder) take() []any {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.outputs
	r.outputs = nil
	if out == nil {
		out = []any{}
	}
	for _, o := range out {
		if m, ok := o.(map[string]any); ok {
			delete(m, "transient") // display ids are not part of nbformat outputs
		}
	}
	return out
}

func (r *outputRecorder) add(kind string, b display.Bundle, id string) {
	r.finish()
	r.mu.Lock()
	defer r.mu.Unlock()
	md := b.Metadata
	if md == nil {
		md = map[string]any{}
	}
	o := map[string]any{"output_type": kind, "data": b.Data, "metadata": md}
	if kind == "execute_result" {
		o["execution_count"] = r.cell
	}
	if id != "" {
		o["transient"] = map[string]any{"display_id": id}
	}
	r.outputs = append(r.outputs, o)
}

// Display, Update, Clear and Interactive implement display.Sink.
func (r *outputRecorder) Display(b display.Bundle, id string) { r.add("display_data", b, id) }

func (r *outputRecorder) Update(b display.Bundle, id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, o := range r.outputs {
		m, _ := o.(map[string]any)
		if tr, ok := m["transient"].(map[string]any); ok && tr["display_id"] == id {
			m["data"], m["metadata"] = b.Data, b.Metadata
		}
	}
}

func (r *outputRecorder) Clear(wait bool) {
	r.finish()
	r.mu.Lock()
	r.outputs = nil
	r.mu.Unlock()
}

func (r *outputRecorder) Interactive() bool { return false }
