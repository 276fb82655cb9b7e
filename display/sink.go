package display

// Bundle is one displayable value: MIME type -> data (a string, or for JSON
// an arbitrary JSON-encodable value), plus per-MIME metadata such as
// {"image/png": {"width": 576, "height": 384}}. Every bundle the package
// produces carries "text/plain".
type Bundle struct {
	Data     map[string]any
	Metadata map[string]any
}

// Sink receives what cells display. The notebook runner installs a sink that
// sends display_data / update_display_data / clear_output to the frontend;
// `gonote run` installs one that writes files and terminal text.
type Sink interface {
	// Display shows b. id is "" for a plain display, or a display id that a
	// later Update with the same id replaces in place.
	Display(b Bundle, id string)
	// Update replaces the output shown under id.
	Update(b Bundle, id string)
	// Clear clears the cell's output; with wait, only when new output arrives.
	Clear(wait bool)
	// Interactive reports whether outputs can be updated in place (a
	// notebook) rather than appended (a terminal or a script).
	Interactive() bool
}
