package display

import (
	"bytes"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
)

func TestPublishFunctionsReachSink(t *testing.T) {
	sink := &fakeSink{interactive: true}
	install(t, sink)
	tests := []struct {
		name     string
		show     func() error
		mime     string
		wantData string // substring of the MIME entry (decoded for binary data)
		wantText string // substring of text/plain
	}{
		{"HTML", func() error { HTML("<b>bold &amp; x</b>"); return nil }, MIMEHTML, "<b>bold", "bold & x"},
		{"Markdown", func() error { Markdown("# Title"); return nil }, MIMEMarkdown, "# Title", "# Title"},
		{"SVG", func() error { SVG(`<svg xmlns="http://www.w3.org/2000/svg"></svg>`); return nil }, MIMESVG, "<svg", "SVG image"},
		{"LaTeX bare", func() error { LaTeX(`\frac{a}{b}`); return nil }, MIMELaTeX, `$$\frac{a}{b}$$`, `\frac{a}{b}`},
		{"LaTeX delimited", func() error { LaTeX(`$x^2$`); return nil }, MIMELaTeX, `$x^2$`, `$x^2$`},
		{"PNG", func() error { PNG(tinyPNG(t, 3, 2)); return nil }, MIMEPNG, "\x89PNG", "PNG image 3×2"},
		{"JSON", func() error { return JSON(map[string]int{"a": 1}) }, MIMEJSON, `{"a":1}`, `"a": 1`},
		{"Table", func() error { return Table([][]string{{"h"}, {"v"}}) }, MIMEHTML, "<th>h</th>", "h"},
		{"Show", func() error { Show(errors.New("bad thing")); return nil }, MIMEHTML, "bad thing", "error: bad thing"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := len(sink.snapshot())
			if err := tc.show(); err != nil {
				t.Fatal(err)
			}
			calls := sink.snapshot()[before:]
			if len(calls) != 1 || calls[0].op != "display" || calls[0].id != "" {
				t.Fatalf("sink calls = %+v, want one plain display", calls)
			}
			b := calls[0].bundle
			data, err := b.Bytes(tc.mime)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(data), tc.wantData) {
				t.Errorf("%s data = %q, want it to contain %q", tc.mime, data, tc.wantData)
			}
			if !strings.Contains(b.Text(), tc.wantText) {
				t.Errorf("text/plain = %q, want it to contain %q", b.Text(), tc.wantText)
			}
		})
	}
}

func TestTextSinkPrintsTextPlain(t *testing.T) {
	var out bytes.Buffer
	install(t, TextSink(&out))

	HTML("<p>hello <i>world</i></p>")
	h := New(TextBundle("v1"))
	h.Update(TextBundle("v2"))
	Clear(true)
	if got, want := out.String(), "hello world\nv1\nv2\n"; got != want {
		t.Errorf("stdout = %q, want %q", got, want)
	}
}

func TestHandleUpdateAndClear(t *testing.T) {
	sink := &fakeSink{interactive: true}
	install(t, sink)
	h1 := New(HTMLBundle("<p>one</p>"))
	h2 := New("two")
	h1.Update(HTMLBundle("<p>uno</p>"))
	Clear(true)
	Clear(false)

	calls := sink.snapshot()
	if len(calls) != 5 {
		t.Fatalf("got %d calls, want 5: %+v", len(calls), calls)
	}
	if h1.ID() == "" || h1.ID() == h2.ID() {
		t.Fatalf("display ids %q and %q must be distinct and non-empty", h1.ID(), h2.ID())
	}
	want := []struct {
		op, id, html string
		wait         bool
	}{
		{"display", h1.ID(), "<p>one</p>", false},
		{"display", h2.ID(), "", false},
		{"update", h1.ID(), "<p>uno</p>", false},
		{"clear", "", "", true},
		{"clear", "", "", false},
	}
	for i, w := range want {
		c := calls[i]
		if c.op != w.op || c.id != w.id || c.wait != w.wait {
			t.Errorf("call %d = {%s %q wait=%v}, want {%s %q wait=%v}", i, c.op, c.id, c.wait, w.op, w.id, w.wait)
		}
		if html, _ := c.bundle.Data[MIMEHTML].(string); html != w.html {
			t.Errorf("call %d html = %q, want %q", i, html, w.html)
		}
		if c.op != "clear" && c.bundle.Text() == "" {
			t.Errorf("call %d has no text/plain", i)
		}
	}
}

func TestJSONBundle(t *testing.T) {
	tests := []struct {
		name    string
		v       any
		want    any // application/json after decoding
		wantErr string
	}{
		{"object", struct {
			A int    `json:"a"`
			B string `json:"b"`
		}{1, "x"}, map[string]any{"a": 1.0, "b": "x"}, ""},
		{"array", []int{1, 2}, []any{1.0, 2.0}, ""},
		{"scalar is wrapped", 3.5, map[string]any{"value": 3.5}, ""},
		{"unencodable", make(chan int), nil, "chan int"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := JSONBundle(tc.v)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one naming %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := b.Data[MIMEJSON]; !deepEqualJSON(got, tc.want) {
				t.Errorf("application/json = %#v, want %#v", got, tc.want)
			}
			if b.Text() == "" {
				t.Error("no text/plain")
			}
		})
	}
}

func deepEqualJSON(a, b any) bool {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k := range x {
			if !deepEqualJSON(x[k], y[k]) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !deepEqualJSON(x[i], y[i]) {
				return false
			}
		}
		return true
	}
	return a == b
}

func TestNoSinkPrintsToStdout(t *testing.T) {
	install(t, nil)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	old := os.Stdout
	os.Stdout = w
	Markdown("**plain**")
	Show(map[string]int{"a": 1})
	os.Stdout = old
	w.Close()
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(out), "**plain**\nmap[\"a\":1]\n"; got != want {
		t.Errorf("stdout = %q, want %q", got, want)
	}
}
