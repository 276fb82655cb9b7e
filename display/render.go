package display

import (
	"bytes"
	"fmt"
	"html"
	"image"
	"image/png"
	"math"
	"reflect"
	"strings"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/plot"
)

// Duck interfaces: a value with one of these methods is shown through it,
// so libraries (stdlib's result types, for instance) need not import
// display. The runner's interpreted helper checks the same method sets for
// types defined in cells, whose methods compiled code cannot see, and
// passes the results to the bundle constructors.
type (
	// HTMLer shows itself as an HTML fragment.
	HTMLer interface{ HTML() string }
	// Markdowner shows itself as Markdown.
	Markdowner interface{ Markdown() string }
	// LaTeXer shows itself as a LaTeX formula.
	LaTeXer interface{ LaTeX() string }
	// PNGer shows itself as PNG bytes.
	PNGer interface{ PNG() []byte }
	// JPEGer shows itself as JPEG bytes.
	JPEGer interface{ JPEG() []byte }
	// SVGer shows itself as an SVG document.
	SVGer interface{ SVG() string }
	// Bundler builds its own bundle (plotting's figures do).
	Bundler interface{ DisplayBundle() Bundle }
	// MIMEBundler returns MIME type -> data without importing display
	// (binary data base64-encoded, as in Bundle).
	MIMEBundler interface{ MIMEBundle() map[string]any }
)

// Render returns the richest bundle for a cell's final value v and whether
// a rich form (anything beyond text/plain) was found. The bundle always
// carries text/plain; Render never panics.
//
// Order: Bundle values; Bundler and MIMEBundler; *plot.Plot (PNG chart);
// the HTMLer, Markdowner, LaTeXer, PNGer, JPEGer and SVGer methods
// (combined when a type has several); image.Image (PNG with its size);
// mat.Matrix (HTML table, abridged when large); error; []float64 longer
// than 20 (summary); slices of structs or maps (tables); maps and structs
// (key/field tables). A compiled value whose type has a String or Error
// method and none of the above stays text, through that method. Other
// values get a bounded text/plain only.
//
// Values of types defined in interpreted cells arrive as anonymous structs
// without methods; they are rendered by their fields.
func Render(v any) (b Bundle, rich bool) {
	defer func() {
		if r := recover(); r != nil {
			b, rich = textBundle(fmt.Sprintf("<%T: rendering failed: %v>", v, r)), false
		}
	}()
	if v == nil {
		return textBundle("<nil>"), false
	}
	if b, ok := renderKnown(v); ok {
		return b.withText(), true
	}
	if b, ok := renderDuck(v); ok {
		return b, true
	}
	if b, ok := renderKnownData(v); ok {
		return b.withText(), true
	}
	if b, ok := renderReflect(reflect.ValueOf(v)); ok {
		return b, true
	}
	return textBundle(PlainText(v)), false
}

func renderKnown(v any) (Bundle, bool) {
	switch x := v.(type) {
	case Bundle:
		return x, true
	case *Bundle:
		if x != nil {
			return *x, true
		}
	case Bundler:
		if !isNilPointer(v) {
			return x.DisplayBundle(), true
		}
	case MIMEBundler:
		if !isNilPointer(v) {
			data := x.MIMEBundle()
			if data == nil {
				data = map[string]any{}
			}
			return Bundle{Data: data}, true
		}
	case *plot.Plot:
		if x != nil {
			b, err := PlotBundle(x, 0, 0, FormatPNG)
			if err != nil {
				return ErrorBundle(err), true
			}
			return b, true
		}
	}
	return Bundle{}, false
}

func isNilPointer(v any) bool {
	rv := reflect.ValueOf(v)
	return rv.Kind() == reflect.Pointer && rv.IsNil()
}

// renderDuck combines the duck-typed display methods of a compiled value.
func renderDuck(v any) (Bundle, bool) {
	if isNilPointer(v) {
		return Bundle{}, false
	}
	b := Bundle{Data: map[string]any{}, Metadata: map[string]any{}}
	if x, ok := v.(HTMLer); ok {
		mergeInto(b, HTMLBundle(x.HTML()))
	}
	if x, ok := v.(Markdowner); ok {
		mergeInto(b, MarkdownBundle(x.Markdown()))
	}
	if x, ok := v.(LaTeXer); ok {
		mergeInto(b, LaTeXBundle(x.LaTeX()))
	}
	if x, ok := v.(PNGer); ok {
		mergeInto(b, PNGBundle(x.PNG()))
	}
	if x, ok := v.(JPEGer); ok {
		mergeInto(b, JPEGBundle(x.JPEG()))
	}
	if x, ok := v.(SVGer); ok {
		mergeInto(b, SVGBundle(x.SVG()))
	}
	if len(b.Data) == 0 {
		return Bundle{}, false
	}
	b.Data[MIMEText] = PlainText(v)
	return b, true
}

// mergeInto copies src's rich entries into dst (text/plain excluded).
func mergeInto(dst, src Bundle) {
	for k, v := range src.Data {
		if k != MIMEText {
			dst.Data[k] = v
		}
	}
	for k, v := range src.Metadata {
		dst.Metadata[k] = v
	}
}

// renderKnownData handles values of well-known library types.
func renderKnownData(v any) (Bundle, bool) {
	switch x := v.(type) {
	case image.Image:
		if isNilPointer(v) {
			return Bundle{}, false
		}
		b, err := ImageBundle(x)
		if err != nil {
			return ErrorBundle(err), true
		}
		return b, true
	case mat.Matrix:
		if isNilPointer(v) {
			return Bundle{}, false
		}
		b, err := matrixBundle(x)
		if err != nil {
			return ErrorBundle(err), true
		}
		return b, true
	case error:
		if isNilPointer(v) {
			return Bundle{}, false
		}
		return ErrorBundle(x), true
	case []float64:
		if len(x) > longFloats {
			return floatsBundle(x), true
		}
	}
	return Bundle{}, false
}

// ImageBundle encodes img as PNG with its pixel size as metadata.
func ImageBundle(img image.Image) (Bundle, error) {
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return Bundle{}, fmt.Errorf("display: encode image as PNG: %w", err)
	}
	r := img.Bounds()
	return ScaledPNGBundle(buf.Bytes(), r.Dx(), r.Dy()), nil
}

// ErrorBundle shows an error value: text/plain "error: ..." and a red HTML
// block.
func ErrorBundle(err error) Bundle {
	msg := "<nil>"
	if err != nil {
		msg = err.Error()
	}
	b := textBundle("error: " + msg)
	b.Data[MIMEHTML] = `<pre style="color:#b00020;white-space:pre-wrap">error: ` + html.EscapeString(msg) + `</pre>`
	return b
}

// longFloats is the length above which a []float64 is summarised.
const longFloats = 20

// floatsBundle summarises a long []float64: length, min, mean, max (over
// the non-NaN entries, with the NaN count) and the first and last items.
func floatsBundle(xs []float64) Bundle {
	lo, hi, sum, nan, n := math.Inf(1), math.Inf(-1), 0.0, 0, 0
	for _, x := range xs {
		if math.IsNaN(x) {
			nan++
			continue
		}
		lo, hi = math.Min(lo, x), math.Max(hi, x)
		sum += x
		n++
	}
	stats := fmt.Sprintf("len=%d", len(xs))
	if n > 0 {
		stats += fmt.Sprintf(" min=%s mean=%s max=%s", formatEntry(lo), formatEntry(sum/float64(n)), formatEntry(hi))
	}
	if nan > 0 {
		stats += fmt.Sprintf(" NaN=%d", nan)
	}
	items := func(part []float64) string {
		s := make([]string, len(part))
		for i, x := range part {
			s[i] = formatEntry(x)
		}
		return strings.Join(s, " ")
	}
	head, tail := items(xs[:5]), items(xs[len(xs)-5:])
	text := fmt.Sprintf("[]float64 %s\n[%s … %s]", stats, head, tail)
	b := textBundle(text)
	b.Data[MIMEHTML] = fmt.Sprintf(`<div><code>[]float64</code> %s<br><code>[%s … %s]</code></div>`,
		html.EscapeString(stats), html.EscapeString(head), html.EscapeString(tail))
	return b
}

// renderReflect draws tables for slices of structs or maps, maps and
// structs, whatever their types (interpreted ones included).
func renderReflect(v reflect.Value) (Bundle, bool) {
	v = indirect(v)
	if !v.IsValid() || hasTextMethod(v.Type()) {
		return Bundle{}, false
	}
	switch v.Kind() {
	case reflect.Slice, reflect.Array:
		kind, _ := rowKind(v)
		if v.Len() == 0 || (kind != reflect.Struct && kind != reflect.Map) {
			return Bundle{}, false
		}
		g, err := sliceGrid(v, false)
		if err != nil {
			return Bundle{}, false
		}
		b := g.bundle()
		b.Data[MIMEText] = PlainText(v.Interface())
		return b, true
	case reflect.Map:
		if v.Len() == 0 {
			return Bundle{}, false
		}
		b := mapGrid(v).bundle()
		b.Data[MIMEText] = PlainText(v.Interface())
		return b, true
	case reflect.Struct:
		if v.NumField() == 0 {
			return Bundle{}, false
		}
		b := structGrid(v).bundle()
		b.Data[MIMEText] = PlainText(v.Interface())
		return b, true
	}
	return Bundle{}, false
}
