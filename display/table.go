package display

import (
	"fmt"
	"html"
	"reflect"
	"strings"

	"gonum.org/v1/gonum/mat"
)

// Table limits: longer tables show their first tableHead and last tableTail
// rows with the total in the caption.
const (
	maxTableRows = 60
	tableHead    = 40
	tableTail    = 10
)

// grid is a table of formatted cells ready for HTML or text.
type grid struct {
	caption string
	header  []string
	rows    [][]string
	// gapAfter is the index of the row after which rows were left out
	// (-1 when none were), and omitted how many.
	gapAfter int
	omitted  int
}

// TableBundle renders rows as an HTML table (plus an aligned text table).
// Accepted shapes: a slice or array of structs or struct pointers (one
// column per field), of maps (one column per key, the union of keys), of
// slices ([][]string, [][]any, [][]float64: a first row of strings is the
// header, otherwise columns are numbered), of scalars
// (one value column); a map (key and value columns); a struct (field and
// value columns); a mat.Matrix. Long tables are abridged with the full shape
// named in the caption.
func TableBundle(rows any) (Bundle, error) {
	if m, ok := rows.(mat.Matrix); ok {
		return matrixBundle(m)
	}
	g, err := buildGrid(reflect.ValueOf(rows), true)
	if err != nil {
		return Bundle{}, fmt.Errorf("display: Table: %w", err)
	}
	return g.bundle(), nil
}

// buildGrid turns a collection into a grid; headerRow says whether the
// first row of a slice of slices is a header.
func buildGrid(v reflect.Value, headerRow bool) (*grid, error) {
	v = indirect(v)
	if !v.IsValid() {
		return nil, fmt.Errorf("nil value: want a slice of structs or maps, [][]string, a map or a struct")
	}
	switch v.Kind() {
	case reflect.Slice, reflect.Array:
		return sliceGrid(v, headerRow)
	case reflect.Map:
		return mapGrid(v), nil
	case reflect.Struct:
		return structGrid(v), nil
	}
	return nil, fmt.Errorf("unsupported value of type %s: want a slice of structs or maps, [][]string (first row is the header), a map, a struct or a mat.Matrix", v.Type())
}

// indirect follows pointers and interfaces to a concrete value (invalid for
// nil).
func indirect(v reflect.Value) reflect.Value {
	for i := 0; i < maxDepth && v.IsValid() && (v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface); i++ {
		if v.IsNil() {
			return reflect.Value{}
		}
		v = v.Elem()
	}
	return v
}

// rowKind is the common kind of a slice's (dereferenced) elements, with the
// struct type when they are structs; mixed elements give reflect.Invalid.
func rowKind(v reflect.Value) (reflect.Kind, reflect.Type) {
	kind, typ := reflect.Invalid, reflect.Type(nil)
	for i := range v.Len() {
		e := indirect(v.Index(i))
		if !e.IsValid() {
			continue
		}
		k := e.Kind()
		switch {
		case hasTextMethod(e.Type()):
			k = reflect.String // shown through its String or Error method
		case k == reflect.Slice, k == reflect.Array, k == reflect.Map, k == reflect.Struct:
		default:
			k = reflect.String // any scalar
		}
		if kind == reflect.Invalid {
			kind = k
			if k == reflect.Struct {
				typ = e.Type()
			}
			continue
		}
		if k != kind || (k == reflect.Struct && e.Type() != typ) {
			return reflect.Invalid, nil
		}
	}
	return kind, typ
}

func sliceGrid(v reflect.Value, headerRow bool) (*grid, error) {
	n := v.Len()
	kind, typ := rowKind(v)
	g := &grid{gapAfter: -1}
	pick := rowPicker(n)
	switch kind {
	case reflect.Struct:
		for i := range typ.NumField() {
			g.header = append(g.header, fieldName(typ, i))
		}
		for _, i := range pick {
			e := indirect(v.Index(i))
			row := make([]string, typ.NumField())
			if e.IsValid() {
				for j := range row {
					row[j] = cellText(e.Field(j))
				}
			}
			g.rows = append(g.rows, row)
		}
	case reflect.Map:
		var keys []string
		seen := map[string]bool{}
		for i := range n {
			e := indirect(v.Index(i))
			if !e.IsValid() {
				continue
			}
			for _, k := range sortedKeys(e) {
				if t := cellText(k); !seen[t] {
					seen[t] = true
					keys = append(keys, t)
				}
			}
		}
		g.header = keys
		for _, i := range pick {
			cells := map[string]string{}
			if e := indirect(v.Index(i)); e.IsValid() {
				iter := e.MapRange()
				for iter.Next() {
					cells[cellText(iter.Key())] = cellText(iter.Value())
				}
			}
			row := make([]string, len(keys))
			for j, k := range keys {
				row[j] = cells[k]
			}
			g.rows = append(g.rows, row)
		}
	case reflect.Slice, reflect.Array:
		start := 0
		if headerRow && n > 0 && allStrings(indirect(v.Index(0))) {
			g.header = cellRow(indirect(v.Index(0)))
			start = 1
			pick = rowPicker(n - 1)
			for i := range pick {
				pick[i]++
			}
		}
		width := len(g.header)
		for _, i := range pick {
			row := cellRow(indirect(v.Index(i)))
			width = max(width, len(row))
			g.rows = append(g.rows, row)
		}
		if g.header == nil {
			for j := range width {
				g.header = append(g.header, fmt.Sprint(j))
			}
		}
		n -= start
	case reflect.String, reflect.Invalid:
		if kind == reflect.Invalid && n > 0 && anyValid(v) {
			return nil, fmt.Errorf("elements of %s have mixed shapes: want all structs of one type, all maps or all slices", v.Type())
		}
		g.header = []string{"value"}
		for _, i := range pick {
			g.rows = append(g.rows, []string{cellText(v.Index(i))})
		}
	}
	g.caption = count(n, "row", "rows") + " × " + count(len(g.header), "column", "columns")
	g.markGap(n)
	return g, nil
}

// allStrings reports whether a row holds only strings (so it can be a
// header).
func allStrings(row reflect.Value) bool {
	if !row.IsValid() || (row.Kind() != reflect.Slice && row.Kind() != reflect.Array) || row.Len() == 0 {
		return false
	}
	for j := range row.Len() {
		if c := indirect(row.Index(j)); !c.IsValid() || c.Kind() != reflect.String {
			return false
		}
	}
	return true
}

func anyValid(v reflect.Value) bool {
	for i := range v.Len() {
		if indirect(v.Index(i)).IsValid() {
			return true
		}
	}
	return false
}

// rowPicker lists the row indices shown for n rows (the first tableHead and
// last tableTail when there are more than maxTableRows).
func rowPicker(n int) []int { return shownIndices(n, maxTableRows, tableHead, tableTail, false) }

// markGap records the left-out rows after rowPicker abridged n rows.
func (g *grid) markGap(n int) {
	if n > maxTableRows {
		g.gapAfter = tableHead - 1
		g.omitted = n - tableHead - tableTail
	}
}

func cellRow(v reflect.Value) []string {
	if !v.IsValid() {
		return nil
	}
	if v.Kind() != reflect.Slice && v.Kind() != reflect.Array {
		return []string{cellText(v)}
	}
	row := make([]string, 0, v.Len())
	for j := range min(v.Len(), 100) {
		row = append(row, cellText(v.Index(j)))
	}
	return row
}

func mapGrid(v reflect.Value) *grid {
	g := &grid{header: []string{"key", "value"}, gapAfter: -1}
	keys := sortedKeys(v)
	for _, i := range rowPicker(len(keys)) {
		g.rows = append(g.rows, []string{cellText(keys[i]), cellText(v.MapIndex(keys[i]))})
	}
	g.caption = "map with " + count(len(keys), "entry", "entries")
	g.markGap(len(keys))
	return g
}

func structGrid(v reflect.Value) *grid {
	t := v.Type()
	g := &grid{header: []string{"field", "value"}, gapAfter: -1}
	for i := range t.NumField() {
		g.rows = append(g.rows, []string{fieldName(t, i), cellText(v.Field(i))})
	}
	if t.Name() != "" {
		g.caption = t.String()
	}
	return g
}

// html renders the grid as a table element.
func (g *grid) html() string {
	var b strings.Builder
	b.WriteString(`<table class="gonote-table">`)
	if g.caption != "" {
		fmt.Fprintf(&b, `<caption style="caption-side:top;text-align:left">%s</caption>`, html.EscapeString(g.caption))
	}
	b.WriteString("<thead><tr>")
	for _, h := range g.header {
		fmt.Fprintf(&b, "<th>%s</th>", html.EscapeString(h))
	}
	b.WriteString("</tr></thead><tbody>")
	for i, row := range g.rows {
		b.WriteString("<tr>")
		for j := range g.header {
			cell := ""
			if j < len(row) {
				cell = row[j]
			}
			fmt.Fprintf(&b, "<td>%s</td>", html.EscapeString(cell))
		}
		b.WriteString("</tr>")
		if i == g.gapAfter {
			fmt.Fprintf(&b, `<tr><td colspan="%d" style="text-align:center">… %d more rows …</td></tr>`, max(1, len(g.header)), g.omitted)
		}
	}
	b.WriteString("</tbody></table>")
	return b.String()
}

// text renders the grid as aligned columns.
func (g *grid) text() string {
	widths := make([]int, len(g.header))
	for j, h := range g.header {
		widths[j] = runeLen(h)
	}
	for _, row := range g.rows {
		for j := range min(len(row), len(widths)) {
			widths[j] = max(widths[j], min(runeLen(row[j]), 40))
		}
	}
	var b strings.Builder
	if g.caption != "" {
		b.WriteString(g.caption + "\n")
	}
	line := func(cells []string) {
		for j := range widths {
			cell := ""
			if j < len(cells) {
				cell = cells[j]
			}
			if runeLen(cell) > 40 {
				cell = string([]rune(cell)[:39]) + "…"
			}
			if j > 0 {
				b.WriteString("  ")
			}
			b.WriteString(cell)
			if j < len(widths)-1 {
				b.WriteString(strings.Repeat(" ", widths[j]-runeLen(cell)))
			}
		}
		b.WriteString("\n")
	}
	line(g.header)
	for i, row := range g.rows {
		line(row)
		if i == g.gapAfter {
			fmt.Fprintf(&b, "… %d more rows …\n", g.omitted)
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

// count writes n with the singular or plural noun.
func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func runeLen(s string) int { return len([]rune(s)) }

func (g *grid) bundle() Bundle {
	b := textBundle(g.text())
	b.Data[MIMEHTML] = g.html()
	return b
}
