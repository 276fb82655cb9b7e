// Package display holds the rich-output API that notebook cells and scripts
// call (HTML, Markdown, PNG, JPEG, SVG, LaTeX, JSON, Table, Show, updatable
// handles, Clear and Progress bars), the MIME Bundle type they produce, and
// Render, the renderer the runner uses for a cell's final value.
//
// Every display goes through the Sink installed with SetSink: the notebook
// runner installs one that sends display_data / update_display_data /
// clear_output messages, `gonote run` installs one that writes files and
// terminal text. With no sink installed (plain library use) a display prints
// its text/plain form to standard output.
//
// Binary MIME data (image/png, image/jpeg) is stored in a Bundle as a base64
// string, exactly as Jupyter messages carry it; textual data as a string;
// application/json as a JSON-compatible value (maps, slices, numbers,
// strings, booleans, nil).
//
// Charts: display renders gonum/plot drawings itself (PlotBundle and
// DrawBundle, PNG at 2x resolution with logical-size metadata, or SVG), so
// Render can show a *plot.Plot and package plotting can build on the same
// code. The dependency points one way only: plotting imports display, never
// the reverse; plotting's figures show themselves through the Bundler duck
// interface that Render looks for, so no registration hook is needed.
package display

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
)

// sinkState holds the installed sink: with the display-id counter below,
// the package's only mutable state.
var sinkState struct {
	mu   sync.Mutex
	sink Sink
}

// SetSink installs s as the destination of every display; nil restores the
// default (print text/plain to standard output). It returns the previously
// installed sink so callers (and tests) can restore it.
func SetSink(s Sink) (previous Sink) {
	sinkState.mu.Lock()
	defer sinkState.mu.Unlock()
	previous = sinkState.sink
	sinkState.sink = s
	return previous
}

// CurrentSink returns the installed sink, or nil when none is installed.
func CurrentSink() Sink {
	sinkState.mu.Lock()
	defer sinkState.mu.Unlock()
	return sinkState.sink
}

// Interactive reports whether the installed sink can update outputs in place.
func Interactive() bool {
	s := CurrentSink()
	return s != nil && s.Interactive()
}

// activeSink returns the installed sink, or a TextSink on standard output.
func activeSink() Sink {
	if s := CurrentSink(); s != nil {
		return s
	}
	return TextSink(os.Stdout)
}

// TextSink returns a sink that prints the text/plain form of every display
// and update to w and ignores Clear; it is not interactive. With no sink
// installed, displays go to TextSink(os.Stdout).
func TextSink(w io.Writer) Sink { return textSink{w} }

type textSink struct{ w io.Writer }

func (t textSink) Display(b Bundle, id string) { fmt.Fprintln(t.w, b.withText().Text()) }
func (t textSink) Update(b Bundle, id string)  { fmt.Fprintln(t.w, b.withText().Text()) }
func (t textSink) Clear(wait bool)             {}
func (t textSink) Interactive() bool           { return false }

// Publish displays b through the installed sink. A missing text/plain entry
// is filled in.
func Publish(b Bundle) {
	activeSink().Display(b.withText(), "")
}

// HTML displays an HTML fragment.
func HTML(s string) { Publish(HTMLBundle(s)) }

// Markdown displays Markdown text.
func Markdown(s string) { Publish(MarkdownBundle(s)) }

// PNG displays PNG-encoded image bytes.
func PNG(b []byte) { Publish(PNGBundle(b)) }

// JPEG displays JPEG-encoded image bytes.
func JPEG(b []byte) { Publish(JPEGBundle(b)) }

// SVG displays an SVG document.
func SVG(s string) { Publish(SVGBundle(s)) }

// LaTeX displays a LaTeX formula or fragment (see LaTeXBundle).
func LaTeX(s string) { Publish(LaTeXBundle(s)) }

// JSON displays v as application/json; it fails when v cannot be encoded.
func JSON(v any) error {
	b, err := JSONBundle(v)
	if err != nil {
		return err
	}
	Publish(b)
	return nil
}

// Table displays rows as an HTML table; see TableBundle for accepted shapes.
func Table(rows any) error {
	b, err := TableBundle(rows)
	if err != nil {
		return err
	}
	Publish(b)
	return nil
}

// Show displays v in its richest form (see Render).
func Show(v any) {
	b, _ := Render(v)
	Publish(b)
}

// Clear clears the cell's output; with wait, only once new output arrives.
// Without a sink it does nothing.
func Clear(wait bool) {
	activeSink().Clear(wait)
}

// Handle is a display that can be replaced in place (update_display_data).
type Handle struct {
	id string
}

// idPrefix makes display ids unique across runner restarts; idCounter makes
// them unique within one process.
var (
	idPrefix  = newIDPrefix()
	idCounter atomic.Uint64
)

func newIDPrefix() string {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		return fmt.Sprintf("gonote-%d", os.Getpid())
	}
	return "gonote-" + hex.EncodeToString(b[:])
}

// NewDisplayID returns a fresh display id.
func NewDisplayID() string {
	return fmt.Sprintf("%s-%d", idPrefix, idCounter.Add(1))
}

// New displays v (rendered as by Render; pass a Bundle such as
// HTMLBundle(s) to choose the MIME type) under a new display id and returns
// a handle to update it.
func New(v any) *Handle {
	h := &Handle{id: NewDisplayID()}
	b, _ := Render(v)
	activeSink().Display(b.withText(), h.id)
	return h
}

// ID returns the handle's display id.
func (h *Handle) ID() string { return h.id }

// String names the handle.
func (h *Handle) String() string { return "display " + h.id }

// Update replaces what the handle shows with v (how a sink that cannot
// update in place shows it is the sink's choice).
func (h *Handle) Update(v any) {
	b, _ := Render(v)
	activeSink().Update(b.withText(), h.id)
}
