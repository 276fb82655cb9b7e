package script

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// A corpus file holds cells that run in order in one session, as in a
// notebook. Each case is
//
//	### name
//	<cell code>
//	>>> stdout
//	<exact expected standard output>
//	>>> result
//	<exact text/plain of the final value>
//	>>> error
//	<Ename: evalue, exact>
//	>>> traceback
//	<lines that must appear in the traceback, in order>
//	>>> stderr
//	<text that must appear in standard error>
//	>>> display
//	<one line per display: "display MIMEs: text/plain", "update ...", "clear">
//	>>> mimes
//	<the MIME types of the final value, comma-separated>
//
// A section that is absent means nothing is expected: no output, no value,
// no error.
type corpusCase struct {
	name      string
	code      string
	stdout    *string
	result    *string
	err       *string
	traceback []string
	stderr    *string
	shown     []string
	mimes     *string
	line      int
}

func parseCorpus(t *testing.T, path string) []corpusCase {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var cases []corpusCase
	var cur *corpusCase
	section := ""
	var buf []string
	flush := func() {
		if cur == nil {
			return
		}
		text := strings.Join(buf, "\n")
		switch section {
		case "code":
			cur.code = text
		case "stdout":
			s := text + "\n"
			if text == "" {
				s = ""
			}
			cur.stdout = &s
		case "result":
			cur.result = &text
		case "error":
			cur.err = &text
		case "traceback":
			cur.traceback = buf
		case "stderr":
			cur.stderr = &text
		case "display":
			cur.shown = buf
		case "mimes":
			cur.mimes = &text
		default:
			t.Fatalf("%s: case %q: unknown section %q", path, cur.name, section)
		}
		buf = nil
	}
	for i, line := range strings.Split(strings.TrimRight(string(data), "\n"), "\n") {
		switch {
		case strings.HasPrefix(line, "### "):
			flush()
			if cur != nil {
				cases = append(cases, *cur)
			}
			cur = &corpusCase{name: strings.TrimPrefix(line, "### "), line: i + 1}
			section = "code"
		case strings.HasPrefix(line, ">>> "):
			flush()
			section = strings.TrimPrefix(line, ">>> ")
		default:
			buf = append(buf, line)
		}
	}
	flush()
	if cur != nil {
		cases = append(cases, *cur)
	}
	return cases
}

func TestCorpus(t *testing.T) {
	files, err := filepath.Glob("testdata/corpus/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus files: %v", err)
	}
	total := 0
	for _, f := range files {
		cases := parseCorpus(t, f)
		total += len(cases)
		t.Run(filepath.Base(f), func(t *testing.T) {
			h := newHarness(t)
			for _, c := range cases {
				o := h.run(c.code)
				where := f + ":" + itoa(c.line) + " " + c.name
				want := ""
				if c.stdout != nil {
					want = *c.stdout
				}
				if o.Stdout != want {
					t.Errorf("%s: stdout\n got %q\nwant %q", where, o.Stdout, want)
				}
				want = ""
				if c.result != nil {
					want = *c.result
				}
				if o.Result != want && (c.result != nil || c.mimes == nil) {
					t.Errorf("%s: result\n got %q\nwant %q", where, o.Result, want)
				}
				gotErr := ""
				if o.Err != nil {
					gotErr = o.Err.Ename + ": " + o.Err.Evalue
				}
				want = ""
				if c.err != nil {
					want = *c.err
				}
				if gotErr != want {
					t.Errorf("%s: error\n got %q\nwant %q", where, gotErr, want)
				}
				if len(c.traceback) > 0 {
					tb := ""
					if o.Err != nil {
						tb = strings.Join(o.Err.Traceback, "\n")
					}
					rest := tb
					for _, l := range c.traceback {
						i := strings.Index(rest, l)
						if i < 0 {
							t.Errorf("%s: traceback lacks %q (in order) in:\n%s", where, l, tb)
							break
						}
						rest = rest[i+len(l):]
					}
				}
				if got, want := strings.Join(o.Shown, "\n"), strings.Join(c.shown, "\n"); got != want {
					t.Errorf("%s: displays\n got %q\nwant %q", where, got, want)
				}
				if c.mimes != nil {
					if got := strings.Join(o.Mimes, ","); got != *c.mimes {
						t.Errorf("%s: result MIME types %q, want %q", where, got, *c.mimes)
					}
				}
				if c.stderr != nil {
					if !strings.Contains(o.Stderr, *c.stderr) {
						t.Errorf("%s: stderr %q lacks %q", where, o.Stderr, *c.stderr)
					}
				} else if o.Stderr != "" {
					t.Errorf("%s: unexpected stderr %q", where, o.Stderr)
				}
			}
		})
	}
	if total < 150 {
		t.Errorf("corpus has %d cells, want at least 150", total)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
