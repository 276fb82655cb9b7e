package display

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

func tinyPNG(t testing.TB, w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	img.Set(0, 0, color.RGBA{R: 255, A: 255})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// decodePNG decodes the image/png of b and returns its pixel size and the
// width/height metadata.
func decodePNG(t *testing.T, b Bundle) (px image.Point, metaW, metaH int) {
	t.Helper()
	raw, err := b.Bytes(MIMEPNG)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("image/png does not decode: %v", err)
	}
	meta, ok := b.Metadata[MIMEPNG].(map[string]any)
	if !ok {
		t.Fatalf("no image/png metadata: %#v", b.Metadata)
	}
	return img.Bounds().Size(), meta["width"].(int), meta["height"].(int)
}

type htmlThing struct{ n int }

func (h htmlThing) HTML() string     { return fmt.Sprintf("<i>%d</i>", h.n) }
func (h htmlThing) Markdown() string { return "*md*" }
func (h htmlThing) String() string   { return "thing" }

type svgThing struct{}

func (svgThing) SVG() string { return "<svg></svg>" }

type pngThing struct{}

func (pngThing) PNG() []byte { return tinyPNGBytes }

var tinyPNGBytes = func() []byte {
	var buf bytes.Buffer
	_ = png.Encode(&buf, image.NewGray(image.Rect(0, 0, 4, 5)))
	return buf.Bytes()
}()

type bundler struct{}

func (bundler) DisplayBundle() Bundle {
	return Bundle{Data: map[string]any{"text/html": "<b>mine</b>"}}
}

type mimeBundler struct{}

func (mimeBundler) MIMEBundle() map[string]any {
	return map[string]any{"text/markdown": "**m**", "text/plain": "m"}
}

type row struct {
	Name  string
	Score float64
	note  string
}

func TestRenderChoosesRichForm(t *testing.T) {
	small := mat.NewDense(2, 3, []float64{1, 2, 3, 4, 5.5, 6})
	long := make([]float64, 100)
	for i := range long {
		long[i] = float64(i)
	}
	p := plot.New()
	l, err := plotter.NewLine(plotter.XYs{{X: 0, Y: 0}, {X: 1, Y: 1}})
	if err != nil {
		t.Fatal(err)
	}
	p.Add(l)

	tests := []struct {
		name      string
		v         any
		wantRich  bool
		wantMIMEs []string
		wantText  string // substring of text/plain
		wantHTML  string // substring of text/html, if any
	}{
		{"nil", nil, false, nil, "<nil>", ""},
		{"int", 42, false, nil, "42", ""},
		{"string", "hello", false, nil, "hello", ""},
		{"short floats", []float64{1, 2}, false, nil, "[1 2]", ""},
		{"bundle", HTMLBundle("<u>x</u>"), true, []string{MIMEHTML}, "x", "<u>x</u>"},
		{"bundler", bundler{}, true, []string{MIMEHTML}, "text/html", "<b>mine</b>"},
		{"mime bundler", mimeBundler{}, true, []string{MIMEMarkdown}, "m", ""},
		{"html and markdown methods", htmlThing{7}, true, []string{MIMEHTML, MIMEMarkdown}, "thing", "<i>7</i>"},
		{"svg method", svgThing{}, true, []string{MIMESVG}, "{}", ""},
		{"png method", pngThing{}, true, []string{MIMEPNG}, "{}", ""},
		{"plot", p, true, []string{MIMEPNG}, "chart 6×4in", ""},
		{"image", image.NewRGBA(image.Rect(0, 0, 7, 3)), true, []string{MIMEPNG}, "7×3", ""},
		{"matrix", small, true, []string{MIMEHTML}, "*mat.Dense 2×3", "<td>5.5</td>"},
		{"error", errors.New("it broke"), true, []string{MIMEHTML}, "error: it broke", "it broke"},
		{"long floats", long, true, []string{MIMEHTML}, "len=100 min=0 mean=49.5 max=99", "[0 1 2 3 4 … 95 96 97 98 99]"},
		{"slice of structs", []row{{"a", 1.5, "n"}, {"b", 2, ""}}, true, []string{MIMEHTML}, "Name: \"a\"", "<th>Score</th>"},
		{"slice of struct pointers", []*row{{"a", 1.5, ""}, nil}, true, []string{MIMEHTML}, "Name", "<td>1.5</td>"},
		{"slice of maps", []map[string]int{{"x": 1}, {"y": 2}}, true, []string{MIMEHTML}, "map[", "<th>y</th>"},
		{"map", map[string]float64{"b": 2, "a": 1}, true, []string{MIMEHTML}, `map["a":1 "b":2]`, "<td>a</td><td>1</td>"},
		{"struct", row{"z", 3, "hidden"}, true, []string{MIMEHTML}, `note: "hidden"`, "<td>note</td><td>hidden</td>"},
		{"struct pointer", &row{"z", 3, ""}, true, []string{MIMEHTML}, "Name", "<td>Name</td><td>z</td>"},
		{"nil struct pointer", (*row)(nil), false, nil, "<nil>", ""},
		{"nil matrix pointer", (*mat.Dense)(nil), false, nil, "<nil>", ""},
		{"nil plot", (*plot.Plot)(nil), false, nil, "<nil>", ""},
		{"empty slice of structs", []row{}, false, nil, "[]", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, rich := Render(tc.v)
			if rich != tc.wantRich {
				t.Errorf("rich = %v, want %v", rich, tc.wantRich)
			}
			if !strings.Contains(b.Text(), tc.wantText) {
				t.Errorf("text/plain = %q, want it to contain %q", b.Text(), tc.wantText)
			}
			for _, m := range tc.wantMIMEs {
				if _, ok := b.Data[m]; !ok {
					t.Errorf("bundle lacks %s: has %v", m, keys(b.Data))
				}
			}
			if !tc.wantRich && len(b.Data) != 1 {
				t.Errorf("plain value got MIME types %v, want only text/plain", keys(b.Data))
			}
			if tc.wantHTML != "" {
				if html, _ := b.Data[MIMEHTML].(string); !strings.Contains(html, tc.wantHTML) {
					t.Errorf("text/html = %q, want it to contain %q", html, tc.wantHTML)
				}
			}
		})
	}
}

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestDrawBundlePixelSize(t *testing.T) {
	tests := []struct {
		w, h         vg.Length
		pxW, pxH     int // expected PNG pixels (2x)
		metaW, metaH int // expected logical size
	}{
		{6 * vg.Inch, 4 * vg.Inch, 1152, 768, 576, 384},
		{3 * vg.Inch, 2 * vg.Inch, 576, 384, 288, 192},
		{5 * vg.Inch, 2.5 * vg.Inch, 960, 480, 480, 240},
	}
	p := plot.New()
	p.Title.Text = "size"
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%vx%v", tc.w, tc.h), func(t *testing.T) {
			b, err := PlotBundle(p, tc.w, tc.h, FormatPNG)
			if err != nil {
				t.Fatal(err)
			}
			px, mw, mh := decodePNG(t, b)
			if px.X != tc.pxW || px.Y != tc.pxH {
				t.Errorf("PNG is %v pixels, want %dx%d", px, tc.pxW, tc.pxH)
			}
			if mw != tc.metaW || mh != tc.metaH || 2*mw != px.X || 2*mh != px.Y {
				t.Errorf("metadata %dx%d, want %dx%d (half the pixels)", mw, mh, tc.metaW, tc.metaH)
			}
			if b.Text() == "" {
				t.Error("no text/plain")
			}
		})
	}
	svg, err := PlotBundle(p, 0, 0, FormatSVG)
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := svg.Data[MIMESVG].(string); !strings.Contains(s, "<svg") || svg.Text() == "" {
		t.Errorf("SVG bundle = %.80q / %q", s, svg.Text())
	}
}

func TestDrawBundleRejectsBadInput(t *testing.T) {
	p := plot.New()
	tests := []struct {
		name    string
		w, h    vg.Length
		format  ImageFormat
		wantErr string
	}{
		{"zero width", -1, vg.Inch, FormatPNG, "out of range"},
		{"huge", 100 * vg.Inch, vg.Inch, FormatPNG, "out of range"},
		{"format", vg.Inch, vg.Inch, "gif", `unknown image format "gif"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := PlotBundle(p, tc.w, tc.h, tc.format)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("err = %v, want %q", err, tc.wantErr)
			}
		})
	}
	if _, err := PlotBundle(nil, 0, 0, FormatPNG); err == nil {
		t.Error("nil plot: no error")
	}
}

var trRe = regexp.MustCompile(`<tr>`)

func TestMatrixTables(t *testing.T) {
	big := mat.NewDense(100, 50, nil)
	for i := range 100 {
		for j := range 50 {
			big.Set(i, j, float64(1000*i+j))
		}
	}
	tests := []struct {
		name     string
		m        mat.Matrix
		caption  string
		rows     int      // <tr> elements including the header row
		present  []string // cells that must be shown
		absent   []string // cells that must be left out
		textPart string
	}{
		{"small", mat.NewDense(2, 3, []float64{1, 2, 3, 4, 5, 6}), "*mat.Dense 2×3</caption>", 3,
			[]string{"<td>1</td>", "<td>6</td>"}, []string{"…"}, "⎡1  2  3⎤"},
		{"vector", mat.NewVecDense(3, []float64{0.5, 1.25, 2}), "*mat.VecDense 3×1</caption>", 4,
			[]string{"<td>1.25</td>"}, nil, "1.25"},
		{"large abridged", big, "*mat.Dense 100×50 (abridged)</caption>", 1 + matHead + 1 + matTail,
			[]string{"<td>0</td>", "<td>99049</td>", "<th>99</th>", "<th>49</th>", "<td>⋱</td>"},
			[]string{"<td>50020</td>", "<th>50</th>"}, "Dims(100, 50)"},
		{"transpose view", big.T(), "mat.Transpose 50×100 (abridged)</caption>", 1 + matHead + 1 + matTail,
			[]string{"<td>98000</td><td>99000</td></tr>"}, nil, "Dims(50, 100)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, rich := Render(tc.m)
			if !rich {
				t.Fatal("matrix not rendered richly")
			}
			html := b.Data[MIMEHTML].(string)
			if !strings.Contains(html, tc.caption) {
				t.Errorf("caption: want %q in %.200s", tc.caption, html)
			}
			if n := len(trRe.FindAllString(html, -1)); n != tc.rows {
				t.Errorf("%d rows, want %d", n, tc.rows)
			}
			for _, s := range tc.present {
				if !strings.Contains(html, s) {
					t.Errorf("html lacks %q", s)
				}
			}
			for _, s := range tc.absent {
				if strings.Contains(html, s) {
					t.Errorf("html has %q, which should be left out", s)
				}
			}
			if !strings.Contains(b.Text(), tc.textPart) {
				t.Errorf("text/plain = %q, want %q", b.Text(), tc.textPart)
			}
		})
	}
}

func TestTableShapes(t *testing.T) {
	many := make([]row, 100)
	for i := range many {
		many[i] = row{Name: fmt.Sprint("r", i), Score: float64(i)}
	}
	tests := []struct {
		name    string
		rows    any
		header  []string
		cells   []string
		caption string
		wantErr string
	}{
		{"structs", []row{{"a", 1, "x"}}, []string{"Name", "Score", "note"}, []string{"a", "1", "x"}, "1 row × 3 columns", ""},
		{"array of structs", [2]row{{"a", 1, ""}, {"b", 2, ""}}, []string{"Name"}, []string{"b", "2"}, "2 rows × 3 columns", ""},
		{"maps (union of keys)", []map[string]any{{"k": 1, "z": "q"}, {"a": true}}, []string{"a", "k", "z"}, []string{"true", "q"}, "2 rows × 3 columns", ""},
		{"string grid with header", [][]string{{"name", "value"}, {"lr", "0.1"}, {"bs", "32"}}, []string{"name", "value"}, []string{"lr", "32"}, "2 rows × 2 columns", ""},
		{"numbers grid (no header)", [][]float64{{1, 2}, {3, 4}}, []string{"0", "1"}, []string{"1", "4"}, "2 rows × 2 columns", ""},
		{"mixed grid with string header", [][]any{{"n", "err"}, {10, 0.5}}, []string{"n", "err"}, []string{"10", "0.5"}, "1 row × 2 columns", ""},
		{"scalars", []int{7, 8}, []string{"value"}, []string{"7", "8"}, "2 rows × 1 column", ""},
		{"map", map[int]string{2: "b", 1: "a"}, []string{"key", "value"}, []string{"a", "b"}, "map with 2 entries", ""},
		{"struct", row{"s", 1, ""}, []string{"field", "value"}, []string{"Name", "s"}, "display.row", ""},
		{"abridged", many, []string{"Name"}, []string{"r0", "r39", "r90", "r99", "… 50 more rows …"}, "100 rows × 3 columns", ""},
		{"mixed", []any{row{}, map[string]int{}}, nil, nil, "", "mixed shapes"},
		{"unsupported", 3.5, nil, nil, "", "unsupported value of type float64"},
		{"nil", nil, nil, nil, "", "nil value"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := TableBundle(tc.rows)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			html := b.Data[MIMEHTML].(string)
			for _, h := range tc.header {
				if !strings.Contains(html, "<th>"+h+"</th>") {
					t.Errorf("no header %q in %.300s", h, html)
				}
			}
			for _, c := range tc.cells {
				if !strings.Contains(html, ">"+c+"<") {
					t.Errorf("no cell %q", c)
				}
			}
			if !strings.Contains(html, tc.caption) || !strings.Contains(b.Text(), tc.caption) {
				t.Errorf("caption %q missing (text: %.100q)", tc.caption, b.Text())
			}
		})
	}
	b, err := TableBundle(many)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(trRe.FindAllString(b.Data[MIMEHTML].(string), -1)); n != 1+tableHead+1+tableTail {
		t.Errorf("abridged table has %d rows, want %d", n, 1+tableHead+1+tableTail)
	}
	if strings.Contains(b.Data[MIMEHTML].(string), ">r40<") {
		t.Error("row 40 should be left out")
	}
}

func TestTableEscapesHTML(t *testing.T) {
	b, err := TableBundle([]map[string]string{{"<k>": "<script>x</script>"}})
	if err != nil {
		t.Fatal(err)
	}
	html := b.Data[MIMEHTML].(string)
	if strings.Contains(html, "<script>") || !strings.Contains(html, "&lt;script&gt;") || !strings.Contains(html, "<th>&lt;k&gt;</th>") {
		t.Errorf("not escaped: %s", html)
	}
}

// anonymousRow builds the kind of value an interpreted cell hands to
// compiled code: a struct type made at run time, field names kept, no
// methods.
func anonymousRows() any {
	typ := reflect.StructOf([]reflect.StructField{
		{Name: "Seed", Type: reflect.TypeOf(0)},
		{Name: "Loss", Type: reflect.TypeOf(0.0)},
		{Name: "Xnote", Type: reflect.TypeOf("")}, // yaegi's export of a field "note"
		{Name: "XY", Type: reflect.TypeOf(0)},     // a real exported name
	})
	s := reflect.MakeSlice(reflect.SliceOf(typ), 2, 2)
	for i := range 2 {
		s.Index(i).Field(0).SetInt(int64(i + 1))
		s.Index(i).Field(1).SetFloat(0.25 * float64(i+1))
	}
	return s.Interface()
}

func TestRenderAnonymousStructs(t *testing.T) {
	rows := anonymousRows()
	b, rich := Render(rows)
	if !rich {
		t.Fatal("slice of anonymous structs not rendered as a table")
	}
	html := b.Data[MIMEHTML].(string)
	for _, s := range []string{"<th>Seed</th>", "<th>Loss</th>", "<th>note</th>", "<th>XY</th>", "<td>2</td>", "<td>0.5</td>"} {
		if !strings.Contains(html, s) {
			t.Errorf("html lacks %q: %s", s, html)
		}
	}
	one := reflect.ValueOf(rows).Index(0).Interface()
	b, rich = Render(one)
	if !rich || !strings.Contains(b.Data[MIMEHTML].(string), "<td>Loss</td><td>0.25</td>") || b.Text() != `{Seed: 1, Loss: 0.25, note: "", XY: 0}` {
		t.Errorf("anonymous struct: rich=%v text=%q", rich, b.Text())
	}
}

type node struct {
	Name string
	Next *node
	kids []*node
	meta map[string]any
}

type panicky struct{}

func (*panicky) String() string { panic("boom") }

type badMatrix struct{}

func (badMatrix) Dims() (int, int)      { return 2, 2 }
func (badMatrix) At(i, j int) float64   { panic("no entries") }
func (m badMatrix) T() mat.Matrix       { return m }
func (badMatrix) HTMLForNothing() error { return nil }

type deep struct{ In *deep }

func TestRenderNeverPanics(t *testing.T) {
	cyc := &node{Name: "a"}
	cyc.Next = &node{Name: "b", Next: cyc}
	cyc.kids = []*node{cyc, nil}
	m := map[string]any{"k": 1}
	m["self"] = m
	cyc.meta = m
	s := []any{1}
	s = append(s, nil)
	s[1] = s
	var d *deep
	for range 100 {
		d = &deep{In: d}
	}
	var nilErr error
	var nilIface fmt.Stringer = (*panicky)(nil)
	values := []any{
		cyc, *cyc, m, s, d, nilErr, nilIface, &panicky{}, badMatrix{},
		make(chan int), func() {}, (*node)(nil), []*node{nil, nil}, map[string]*node{"x": nil},
		[]float64{math.NaN(), math.Inf(1)}, append(make([]float64, 30), math.NaN()),
		struct{ ch chan int }{}, [0]int{}, (*int)(nil), complex(1, 2),
	}
	for i, v := range values {
		t.Run(fmt.Sprintf("%d_%T", i, v), func(t *testing.T) {
			b, _ := Render(v)
			if b.Text() == "" {
				t.Errorf("no text/plain")
			}
			if len(b.Text()) > maxPlainText+100 {
				t.Errorf("text/plain is %d bytes, not bounded", len(b.Text()))
			}
			if _, err := TableBundle(v); err != nil && strings.Contains(err.Error(), "panic") {
				t.Errorf("TableBundle: %v", err)
			}
		})
	}
	b, _ := Render(cyc)
	if !strings.Contains(b.Text(), "<cycle>") {
		t.Errorf("cycle not marked: %q", b.Text())
	}
	b, _ = Render(badMatrix{})
	if !strings.Contains(b.Text(), "no entries") {
		t.Errorf("a matrix whose At panics should report it: %q", b.Text())
	}
	b, _ = Render(append(make([]float64, 30), math.NaN()))
	if !strings.Contains(b.Text(), "NaN=1") || !strings.Contains(b.Text(), "len=31") {
		t.Errorf("NaN count missing: %q", b.Text())
	}
}

func TestBundleConstructorsCarryText(t *testing.T) {
	js, err := JSONBundle([]int{1})
	if err != nil {
		t.Fatal(err)
	}
	img, err := ImageBundle(image.NewGray(image.Rect(0, 0, 2, 2)))
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string]Bundle{
		"html": HTMLBundle("<p>x</p>"), "markdown": MarkdownBundle("x"), "latex": LaTeXBundle("x"),
		"svg": SVGBundle("<svg/>"), "png": PNGBundle(tinyPNGBytes), "jpeg": JPEGBundle([]byte{1, 2}),
		"scaled": ScaledPNGBundle(tinyPNGBytes, 2, 2), "json": js, "image": img, "error": ErrorBundle(errors.New("e")),
		"text": TextBundle("t"), "empty html": HTMLBundle(""),
	} {
		if _, ok := b.Data[MIMEText].(string); !ok {
			t.Errorf("%s bundle has no text/plain", name)
		}
	}
	if got := (Bundle{Data: map[string]any{MIMEPNG: "x"}}).withText().Text(); got != "<image/png>" {
		t.Errorf("filled text/plain = %q", got)
	}
}

func TestStringersStayText(t *testing.T) {
	when := time.Date(2026, 11, 27, 5, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		v    any
		text string
	}{
		{"time", when, "2026-11-27 05:00:00 +0000 UTC"},
		{"time pointer", &when, "2026-11-27 05:00:00 +0000 UTC"},
		{"duration", 1500 * time.Millisecond, "1.5s"},
		{"slice of times", []time.Time{when}, "[2026-11-27 05:00:00 +0000 UTC]"},
	}
	for _, tc := range tests {
		b, rich := Render(tc.v)
		if rich || b.Text() != tc.text {
			t.Errorf("%s: rich=%v text=%q, want plain %q", tc.name, rich, b.Text(), tc.text)
		}
	}
	b, err := TableBundle([]struct {
		At   time.Time
		Loss float64
	}{{when, 1.0 / 3}})
	if err != nil {
		t.Fatal(err)
	}
	html := b.Data[MIMEHTML].(string)
	if !strings.Contains(html, "<td>2026-11-27 05:00:00 +0000 UTC</td><td>0.333333</td>") {
		t.Errorf("table cells should use String and 6 significant digits: %s", html)
	}
}
