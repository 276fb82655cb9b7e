package script

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestMagics(t *testing.T) {
	h := newHarness(t)
	dir := h.s.opts.Dir
	tests := []struct {
		name   string
		code   string
		stdout string // regexp the whole stdout must match
		stderr string // regexp for stderr ("" = empty)
		result string
		err    string // regexp for "Ename: evalue" ("" = no error)
	}{
		{"time a statement", "%time x := 40 + 2", `^Wall time: [0-9.]+ (ns|µs|ms|s)\n$`, "", "", ""},
		{"time keeps definitions", "x", `^$`, "", "42", ""},
		{"time the rest of the cell", "%time\nfmt.Println(\"timed\")\nx + 1", `^timed\nWall time: [0-9.]+ (ns|µs|ms|s)\n$`, "", "43", ""},
		{"cell time magic", "%%time\ny := x * 2\ny", `^Wall time: .*\n$`, "", "84", ""},
		{"timeit an expression", "%timeit strings.Repeat(\"a\", 10)",
			`^[0-9.]+ (ns|µs|ms) ± [0-9.]+ (ns|µs|ms) per loop \(mean ± std\. dev\. of 7 runs, [0-9]+ loops? each\)\n$`, "", "", ""},
		{"timeit a statement using globals", "%timeit x = x + 0",
			`per loop \(mean ± std\. dev\. of 7 runs, [0-9]+ loops? each\)\n$`, "", "", ""},
		{"timeit reports a compile error", "%timeit nosuch()", `^$`, "", "", `^CompileError: %timeit: .*undefined: nosuch`},
		{"who", "%who", `^Variable  Type  Value\n--------  ----  -----\nx         int   42\ny         int   84\n$`, "", "", ""},
		{"env set", "%env GONOTE_TEST_VAR=hello", `^env: GONOTE_TEST_VAR=hello\n$`, "", "", ""},
		{"env get", "%env GONOTE_TEST_VAR", `^hello\n$`, "", "", ""},
		{"cells see the environment", `os.Getenv("GONOTE_TEST_VAR")`, `^$`, "", `"hello"`, ""},
		{"env list", "%env", `(?m)^GONOTE_TEST_VAR=hello$`, "", "", ""},
		{"env bad", "%env =x", `^$`, "", "", `^UsageError: usage: %env NAME=VALUE`},
		{"shell command streams output", "!echo from-shell; echo err-shell 1>&2", `^from-shell\n$`, `^err-shell\n$`, "", ""},
		{"shell exit status shown", "!exit 3", `^$`, `^\[exit status 3\]\n$`, "", ""},
		{"shell sees %env", "!echo $GONOTE_TEST_VAR", `^hello\n$`, "", "", ""},
		{"writefile", "%%writefile data.txt\nline one\nline two", `^Writing data.txt\n$`, "", "", ""},
		{"writefile overwrite", "%%writefile data.txt\nnew", `^Overwriting data.txt\n$`, "", "", ""},
		{"writefile append", "%%writefile -a data.txt\nmore", `^Appending to data.txt\n$`, "", "", ""},
		{"read the written file", `b, _ := os.ReadFile(filepath.Join("` + dir + `", "data.txt")); string(b)`, `^$`, "", `"new\nmore\n"`, ""},
		{"writefile without a name", "%%writefile\nx", `^$`, "", "", `^UsageError: usage: %%writefile \[-a\] FILE`},
		{"help lists magics and packages", "%help", `(?s)%timeit CODE.*%%writefile.*!cmd.*mat +gonum.org/v1/gonum/mat`, "", "", ""},
		{"unknown magic lists the known ones", "%nosuch", `^$`, "", "", `^UsageError: unknown magic %nosuch; known magics: %%html, %%latex, .*%who, !cmd$`},
		{"unknown cell magic", "%%nosuch\nbody", `^$`, "", "", `^UsageError: unknown cell magic %%nosuch; known magics: `},
		{"magic then code", "%env A_B=1\nfmt.Println(os.Getenv(\"A_B\"))", `^env: A_B=1\n1\n$`, "", "", ""},
		{"load in a notebook is set_next_input", "%load data.txt", `^$`, "", "", ""},
		{"load of a missing file", "%load nofile.go", `^$`, "", "", `^OSError: open .*nofile.go: no such file or directory$`},
		{"reset", "%reset", `^session reset: all definitions and variables were removed\n$`, "", "", ""},
		{"after reset", "x", `^$`, "", "", `^CompileError: undefined: x$`},
		{"replay with nothing lost", "%replay", `^nothing to replay: no variables were lost\n$`, "", "", ""},
	}
	h.s.Interactive = true
	for _, tt := range tests {
		o := h.run(tt.code)
		if !regexp.MustCompile(tt.stdout).MatchString(o.Stdout) {
			t.Errorf("%s: stdout %q does not match %q", tt.name, o.Stdout, tt.stdout)
		}
		if (tt.stderr == "" && o.Stderr != "") || (tt.stderr != "" && !regexp.MustCompile(tt.stderr).MatchString(o.Stderr)) {
			t.Errorf("%s: stderr %q does not match %q", tt.name, o.Stderr, tt.stderr)
		}
		if o.Result != tt.result {
			t.Errorf("%s: result %q, want %q", tt.name, o.Result, tt.result)
		}
		gotErr := ""
		if o.Err != nil {
			gotErr = o.Err.Ename + ": " + o.Err.Evalue
		}
		if (tt.err == "" && gotErr != "") || (tt.err != "" && !regexp.MustCompile(tt.err).MatchString(gotErr)) {
			t.Errorf("%s: error %q does not match %q", tt.name, gotErr, tt.err)
		}
		if tt.name == "load in a notebook is set_next_input" {
			p := h.s.TakePayload()
			if len(p) != 1 || !strings.Contains(p[0].(map[string]any)["text"].(string), "new\nmore") {
				t.Errorf("load payload = %v", p)
			}
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "data.txt")); err != nil {
		t.Errorf("%%%%writefile did not write in the session directory: %v", err)
	}
}
