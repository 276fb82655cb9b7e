package display

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"image"
	_ "image/jpeg" // register the decoder used for JPEG metadata
	_ "image/png"  // register the decoder used for PNG metadata
	"strings"
)

// MIME types used in bundles.
const (
	MIMEText     = "text/plain"
	MIMEHTML     = "text/html"
	MIMEMarkdown = "text/markdown"
	MIMELaTeX    = "text/latex"
	MIMEPNG      = "image/png"
	MIMEJPEG     = "image/jpeg"
	MIMESVG      = "image/svg+xml"
	MIMEJSON     = "application/json"
)

// maxPlainText bounds the text/plain fallback of a bundle.
const maxPlainText = 4000

// binaryMIME reports whether data of this MIME type is base64-encoded.
func binaryMIME(mime string) bool {
	return strings.HasPrefix(mime, "image/") && mime != MIMESVG
}

// Text returns the bundle's text/plain entry ("" when absent).
func (b Bundle) Text() string {
	s, _ := b.Data[MIMEText].(string)
	return s
}

// Bytes returns the raw content stored under mime: base64-decoded for
// binary types (image/png, image/jpeg), the string's bytes for text types,
// the JSON encoding for structured data.
func (b Bundle) Bytes(mime string) ([]byte, error) {
	v, ok := b.Data[mime]
	if !ok {
		return nil, fmt.Errorf("display: bundle has no %q entry", mime)
	}
	s, isString := v.(string)
	switch {
	case isString && binaryMIME(mime):
		raw, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return nil, fmt.Errorf("display: decode %s data: %w", mime, err)
		}
		return raw, nil
	case isString:
		return []byte(s), nil
	default:
		raw, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("display: encode %s data: %w", mime, err)
		}
		return raw, nil
	}
}

// withText returns b with maps allocated and a text/plain entry present.
func (b Bundle) withText() Bundle {
	if b.Data == nil {
		b.Data = map[string]any{}
	}
	if b.Metadata == nil {
		b.Metadata = map[string]any{}
	}
	if _, ok := b.Data[MIMEText]; !ok {
		b.Data[MIMEText] = describeMIMEs(b.Data)
	}
	return b
}

// describeMIMEs is the text/plain stand-in for a bundle without one.
func describeMIMEs(data map[string]any) string {
	for _, m := range []string{MIMEPNG, MIMEJPEG, MIMESVG, MIMEHTML, MIMEMarkdown, MIMELaTeX, MIMEJSON} {
		if _, ok := data[m]; ok {
			return "<" + m + ">"
		}
	}
	return ""
}

// textBundle is a bundle with only text/plain.
func textBundle(s string) Bundle {
	return Bundle{Data: map[string]any{MIMEText: clip(s, maxPlainText)}, Metadata: map[string]any{}}
}

// TextBundle returns a text/plain bundle.
func TextBundle(s string) Bundle { return textBundle(s) }

// HTMLBundle returns a bundle with text/html and a text/plain rendering that
// strips the tags.
func HTMLBundle(s string) Bundle {
	b := textBundle(stripTags(s))
	b.Data[MIMEHTML] = s
	return b
}

// MarkdownBundle returns a bundle with text/markdown (text/plain holds the
// same source).
func MarkdownBundle(s string) Bundle {
	b := textBundle(s)
	b.Data[MIMEMarkdown] = s
	return b
}

// LaTeXBundle returns a bundle with text/latex. A formula without math
// delimiters ($, \[, \( or \begin) is wrapped in $$ ... $$ so that the
// notebook typesets it as display math.
func LaTeXBundle(s string) Bundle {
	b := textBundle(s)
	t := strings.TrimSpace(s)
	if !strings.HasPrefix(t, "$") && !strings.HasPrefix(t, `\[`) && !strings.HasPrefix(t, `\(`) && !strings.HasPrefix(t, `\begin`) {
		t = "$$" + t + "$$"
	}
	b.Data[MIMELaTeX] = t
	return b
}

// SVGBundle returns a bundle with image/svg+xml.
func SVGBundle(s string) Bundle {
	b := textBundle(fmt.Sprintf("<SVG image, %d bytes>", len(s)))
	b.Data[MIMESVG] = s
	return b
}

// PNGBundle returns a bundle with image/png. When the bytes decode as a PNG
// its pixel size is named in text/plain.
func PNGBundle(png []byte) Bundle { return imageBytesBundle(MIMEPNG, "PNG", png) }

// JPEGBundle returns a bundle with image/jpeg.
func JPEGBundle(jpeg []byte) Bundle { return imageBytesBundle(MIMEJPEG, "JPEG", jpeg) }

func imageBytesBundle(mime, name string, raw []byte) Bundle {
	text := fmt.Sprintf("<%s image, %d bytes>", name, len(raw))
	if cfg, _, err := image.DecodeConfig(bytes.NewReader(raw)); err == nil {
		text = fmt.Sprintf("<%s image %d×%d>", name, cfg.Width, cfg.Height)
	}
	b := textBundle(text)
	b.Data[mime] = base64.StdEncoding.EncodeToString(raw)
	return b
}

// ScaledPNGBundle returns an image/png bundle whose metadata asks the
// notebook to show the image at width×height logical pixels (for example
// half the pixel size of a 2x rendering, so it is sharp on HiDPI screens).
func ScaledPNGBundle(png []byte, width, height int) Bundle {
	b := textBundle(fmt.Sprintf("<PNG image %d×%d>", width, height))
	b.Data[MIMEPNG] = base64.StdEncoding.EncodeToString(png)
	b.Metadata[MIMEPNG] = map[string]any{"width": width, "height": height}
	return b
}

// JSONBundle returns a bundle with application/json holding v's JSON form
// (re-decoded into plain maps and slices) and indented JSON as text/plain.
func JSONBundle(v any) (Bundle, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return Bundle{}, fmt.Errorf("display: JSON: value of type %T cannot be encoded: %w", v, err)
	}
	var plain any
	if err := json.Unmarshal(raw, &plain); err != nil {
		return Bundle{}, fmt.Errorf("display: JSON: re-decode: %w", err)
	}
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, raw, "", "  "); err != nil {
		return Bundle{}, fmt.Errorf("display: JSON: indent: %w", err)
	}
	b := textBundle(pretty.String())
	// Jupyter requires application/json to be an object or array; scalars
	// are wrapped so the frontend still shows them.
	switch plain.(type) {
	case map[string]any, []any:
	default:
		plain = map[string]any{"value": plain}
	}
	b.Data[MIMEJSON] = plain
	return b, nil
}

// clip shortens s to at most n bytes (on a rune boundary), marking the cut.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + fmt.Sprintf("… (%d more bytes)", len(s)-cut)
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }

// stripTags removes HTML tags and collapses blank lines, for the text/plain
// stand-in of an HTML fragment.
func stripTags(s string) string {
	var out strings.Builder
	inTag := false
	for _, r := range s {
		switch {
		case r == '<':
			inTag = true
		case r == '>' && inTag:
			inTag = false
			out.WriteByte(' ')
		case !inTag:
			out.WriteRune(r)
		}
	}
	fields := strings.Fields(out.String())
	return html.UnescapeString(strings.Join(fields, " "))
}
