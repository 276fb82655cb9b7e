package script

import (
	"bytes"
	"context"
	"encoding/json"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/traefik/yaegi/interp"
)

// runScript runs a script file through Run and returns its exit status
// and terminal output.
func runScript(t *testing.T, opts RunOptions) (int, string, string) {
	t.Helper()
	outR, outW, _ := os.Pipe()
	errR, errW, _ := os.Pipe()
	var stdout, stderr bytes.Buffer
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); io.Copy(&stdout, outR) }()
	go func() { defer wg.Done(); io.Copy(&stderr, errR) }()
	opts.Stdout, opts.Stderr = outW, errW
	code := Run(opts)
	outW.Close()
	errW.Close()
	wg.Wait()
	return code, stdout.String(), stderr.String()
}

func TestRunScripts(t *testing.T) {
	tests := []struct {
		name     string
		script   string
		args     []string
		code     int
		stdout   string
		stderr   []string // substrings, in order
		files    []string // files expected in the output directory
		stdin    string
		noOutDir bool
	}{
		{
			name:   "prints and final value",
			script: "#!/usr/bin/env -S gonote run\nx := 6\nfmt.Println(\"x is\", x)\nx * 7\n",
			stdout: "x is 6\n42\n",
		},
		{
			name:   "arguments reach os.Args",
			script: "fmt.Println(os.Args[1:])\n",
			args:   []string{"a", "b"},
			stdout: "[a b]\n",
		},
		{
			name:   "a compile error runs nothing and fails",
			script: "fmt.Println(\"never\")\ny := nosuch + 1\n",
			code:   1,
			stderr: []string{"script.go, line 2", "y := nosuch + 1", "CompileError: undefined: nosuch"},
		},
		{
			name:   "a panic prints the traceback and fails",
			script: "func f(n int) int {\n\tpanic(\"bad n\")\n}\nfmt.Println(\"start\")\nf(3)\n",
			code:   1,
			stdout: "start\n",
			stderr: []string{"script.go, line 5", "f(3)", "panic: bad n"},
		},
		{
			name:   "os.Exit sets the exit status",
			script: "fmt.Println(\"bye\")\nos.Exit(4)\n",
			code:   4,
			stdout: "bye\n",
			stderr: []string{"Exit: os.Exit(4)"},
		},
		{
			name:   "standard input is the script's own",
			script: "var name string\nfmt.Scanln(&name)\nline, _ := bufio.NewReader(os.Stdin).ReadString('\\n')\nfmt.Printf(\"%s|%s\", name, line)\n",
			stdin:  "gopher\nsecond line\n",
			stdout: "gopher|second line\n",
		},
		{
			name:   "func main runs",
			script: "package main\n\nimport \"fmt\"\n\nfunc main() {\n\tfmt.Println(\"hello from main\")\n}\n",
			stdout: "hello from main\n",
		},
		{
			name:   "charts become numbered files",
			script: "display.Show(plotting.Line([]float64{0, 1}, []float64{0, 1}, \"a\"))\ndisplay.HTML(\"<p>hi</p>\")\nplotting.Scatter([]float64{0, 1}, []float64{1, 0}, \"b\")\n",
			stderr: []string{"wrote ", "script-1.png", "script-2.html", "script-3.png"},
			files:  []string{"script-1.png", "script-2.html", "script-3.png"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			out := filepath.Join(dir, "out")
			path := filepath.Join(dir, "script.go")
			if err := os.WriteFile(path, []byte(tt.script), 0o755); err != nil {
				t.Fatal(err)
			}
			code, stdout, stderr := runScript(t, RunOptions{Path: path, Args: tt.args, OutDir: out, Stdin: strings.NewReader(tt.stdin)})
			if code != tt.code {
				t.Errorf("exit status %d, want %d (stderr %q)", code, tt.code, stderr)
			}
			if stdout != tt.stdout {
				t.Errorf("stdout %q, want %q", stdout, tt.stdout)
			}
			rest := stderr
			for _, s := range tt.stderr {
				i := strings.Index(rest, s)
				if i < 0 {
					t.Errorf("stderr %q lacks %q (in order)", stderr, s)
					break
				}
				rest = rest[i+len(s):]
			}
			for _, f := range tt.files {
				b, err := os.ReadFile(filepath.Join(out, f))
				if err != nil {
					t.Errorf("missing output file: %v", err)
					continue
				}
				if strings.HasSuffix(f, ".png") {
					if _, err := png.Decode(bytes.NewReader(b)); err != nil {
						t.Errorf("%s is not a PNG: %v", f, err)
					}
				}
			}
		})
	}
}

func TestRunScriptLoadsAFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "helper.go"), []byte("func helper() string { return \"from helper\" }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "main.go")
	if err := os.WriteFile(path, []byte("%load helper.go\nfmt.Println(helper())\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runScript(t, RunOptions{Path: path})
	if code != 0 || stdout != "from helper\n" {
		t.Errorf("status %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

func TestRunNotebook(t *testing.T) {
	dir := t.TempDir()
	nb := `{"cells": [
	  {"cell_type": "markdown", "source": ["# title"]},
	  {"cell_type": "code", "source": ["x := 2\n", "fmt.Println(x)"]},
	  {"cell_type": "code", "source": "x * 21"}
	], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}`
	path := filepath.Join(dir, "nb.ipynb")
	if err := os.WriteFile(path, []byte(nb), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runScript(t, RunOptions{Path: path})
	if code != 0 || stdout != "2\n42\n" {
		t.Errorf("notebook run: status %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	bad := `{"cells": [{"cell_type": "code", "source": "panic(\"x\")"}]}`
	if err := os.WriteFile(path, []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = runScript(t, RunOptions{Path: path})
	if code != 1 || !strings.Contains(stderr, "nb.ipynb, cell 1") {
		t.Errorf("failing notebook: status %d, stderr %q", code, stderr)
	}
}

func TestParseRunArgs(t *testing.T) {
	tests := []struct {
		args []string
		want RunOptions
		err  bool
	}{
		{[]string{"a.go"}, RunOptions{Path: "a.go", Args: []string{}}, false},
		{[]string{"a.go", "x", "y"}, RunOptions{Path: "a.go", Args: []string{"x", "y"}}, false},
		{[]string{"a.go", "x", "-o", "out"}, RunOptions{Path: "a.go", Args: []string{"x"}, OutDir: "out"}, false},
		{[]string{"-o", "out", "a.go", "x"}, RunOptions{Path: "a.go", Args: []string{"x"}, OutDir: "out"}, false},
		{[]string{"nb.ipynb", "-p", "n=3", "-p", "s=x", "-o", "out.ipynb"}, RunOptions{Path: "nb.ipynb", Args: []string{}, Params: []string{"n=3", "s=x"}, OutNotebook: "out.ipynb"}, false},
		{[]string{"nb.ipynb", "-o", "figs"}, RunOptions{Path: "nb.ipynb", Args: []string{}, OutDir: "figs"}, false},
		{[]string{"nb.ipynb", "extra"}, RunOptions{}, true},
		{nil, RunOptions{}, true},
	}
	for _, tt := range tests {
		got, err := ParseRunArgs(tt.args)
		if (err != nil) != tt.err {
			t.Errorf("ParseRunArgs(%q) error %v, want error %v", tt.args, err, tt.err)
			continue
		}
		if !tt.err && !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseRunArgs(%q) = %+v, want %+v", tt.args, got, tt.want)
		}
	}
}

func TestRunNotebookWritesOutputsWithParameters(t *testing.T) {
	dir := t.TempDir()
	nb := `{"cells": [
	  {"cell_type": "code", "metadata": {"tags": ["parameters"]}, "source": "n := 2\nlabel := \"default\"", "outputs": [], "execution_count": null},
	  {"cell_type": "code", "metadata": {}, "source": ["fmt.Println(label)\n", "display.Markdown(\"**md**\")\n", "n * 10"], "outputs": [], "execution_count": null},
	  {"cell_type": "code", "metadata": {}, "source": "panic(\"stop\")", "outputs": [], "execution_count": null},
	  {"cell_type": "code", "metadata": {}, "source": "fmt.Println(\"not run\")", "outputs": [], "execution_count": null}
	], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}`
	in := filepath.Join(dir, "in.ipynb")
	out := filepath.Join(dir, "out.ipynb")
	if err := os.WriteFile(in, []byte(nb), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runScript(t, RunOptions{Path: in, Params: []string{"n=7", "label=from cli"}, OutNotebook: out})
	if code != 1 {
		t.Errorf("status %d, want 1 (a cell panics); stderr %q", code, stderr)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Cells []struct {
			Source  any              `json:"source"`
			Count   any              `json:"execution_count"`
			Outputs []map[string]any `json:"outputs"`
			Meta    map[string]any   `json:"metadata"`
		} `json:"cells"`
	}
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Cells) != 5 {
		t.Fatalf("%d cells, want 5 (one injected)", len(got.Cells))
	}
	if src := cellSource(got.Cells[1].Source); src != "n = 7\nlabel = \"from cli\"" {
		t.Errorf("injected cell %q", src)
	}
	outs := got.Cells[2].Outputs
	kinds := []string{}
	for _, o := range outs {
		kinds = append(kinds, o["output_type"].(string))
	}
	if strings.Join(kinds, ",") != "stream,display_data,execute_result" {
		t.Fatalf("outputs of cell 3: %v", outs)
	}
	if outs[0]["text"] != "from cli\n" || outs[2]["data"].(map[string]any)["text/plain"] != "70" {
		t.Errorf("outputs of cell 3: %v", outs)
	}
	if e := got.Cells[3].Outputs; len(e) != 1 || e[0]["output_type"] != "error" || e[0]["evalue"] != "stop" {
		t.Errorf("outputs of the failing cell: %v", e)
	}
	if got.Cells[4].Count != nil || len(got.Cells[4].Outputs) != 0 {
		t.Errorf("the cell after the failure ran: %+v", got.Cells[4])
	}
}

// TestRunCellAfterInterrupt: once SIGINT has cancelled the run's context,
// `gonote run` neither starts another cell nor reports a cell that ended
// as the signal came as a success; both give the Interrupted error and
// exit status 130.
func TestRunCellAfterInterrupt(t *testing.T) {
	tests := []struct {
		name     string
		cancel   string // "before" the cell, or "during" it (by the cell itself)
		code     string
		wantOut  string
		wantLine string
	}{
		{"between cells", "before", "fmt.Println(\"ran\")", "", "line 1"},
		// The cell's deferred call runs after its last statement.
		{"as the cell ends", "during", "defer stop()\nfmt.Println(\"ran\")\n", "ran\n", "line 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			h.s.in.Use(interp.Exports{"gonotetest/gonotetest": {"Stop": reflect.ValueOf(cancel)}})
			if e := h.s.Execute(context.Background(), "import stopper \"gonotetest\"\nstop := stopper.Stop", 1, false); e != nil {
				t.Fatalf("setup cell: %v", e)
			}
			if tt.cancel == "before" {
				cancel()
			}
			e := runCell(ctx, h.s, tt.code, 2, false)
			h.sync()
			if e == nil || e.Ename != "Interrupted" {
				t.Fatalf("runCell = %+v, want an Interrupted error", e)
			}
			if got := exitStatus(e); got != 130 {
				t.Errorf("exit status %d, want 130", got)
			}
			if !strings.Contains(strings.Join(e.Traceback, "\n"), tt.wantLine) {
				t.Errorf("traceback %q does not name %s", e.Traceback, tt.wantLine)
			}
			h.mu.Lock()
			got := h.out.String()
			h.mu.Unlock()
			if got != tt.wantOut {
				t.Errorf("stdout %q, want %q", got, tt.wantOut)
			}
		})
	}
}

// TestInterruptedTopLevelLoopStaysStopped interrupts loops of a cell's top
// level while they wait in a compiled call that ignores the interrupt, in a
// session that does not await the interpreter (gonote run's): the loop
// must stay stopped when the call returns, also after later cells ran.
// yaegi resets the run id of its global frame on every Execute, which
// revived such a loop in the background; see unit.InFunc.
func TestInterruptedTopLevelLoopStaysStopped(t *testing.T) {
	const tick = "ticker.Tick()\n\tcounter++"
	tests := []struct{ name, loop string }{
		{"for", "for {\n\t" + tick + "\n}"},
		{"range over int", "for range 1000 {\n\t" + tick + "\n}"},
		{"loop in an if", "if counter == 0 {\n\tfor {\n\t" + tick + "\n\t}\n}"},
		{"labelled loop", "outer:\nfor {\n\t" + tick + "\n\tif counter < 0 {\n\t\tbreak outer\n\t}\n}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			// A compiled call that the interrupt cannot cut short.
			tickFn := func() { time.Sleep(40 * time.Millisecond) }
			if err := h.s.in.Use(interp.Exports{"gonotetest/gonotetest": {"Tick": reflect.ValueOf(tickFn)}}); err != nil {
				t.Fatal(err)
			}
			if o := h.run("import ticker \"gonotetest\"\ncounter := 0"); o.Err != nil {
				t.Fatal(o.Err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
			defer cancel()
			if e := h.s.Execute(ctx, tt.loop, 2, false); e == nil || e.Ename != "Interrupted" {
				t.Fatalf("interrupted cell: %+v", e)
			}
			first := h.run("counter")
			time.Sleep(300 * time.Millisecond) // several ticks of the loop, had it gone on
			if again := h.run("counter"); again.Result != first.Result {
				t.Errorf("the interrupted loop went on in the background: counter %s, then %s", first.Result, again.Result)
			}
		})
	}
}
