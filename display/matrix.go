package display

import (
	"fmt"
	"html"
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/mat"
)

// Matrices larger than this are abridged: the first matHead and last matTail
// rows (columns) are shown around an ellipsis.
const (
	matMaxRows = 16
	matMaxCols = 12
	matHead    = 8
	matTail    = 3
)

// shownIndices lists the indices shown along a dimension of n items when at
// most limit are shown in full: all of them, or else the first head and the
// last tail, with -1 marking the left-out run between them when markGap is
// set. Matrices (both dimensions) and long tables (rows) abridge through it.
func shownIndices(n, limit, head, tail int, markGap bool) []int {
	var idx []int
	if n <= limit {
		for i := range n {
			idx = append(idx, i)
		}
		return idx
	}
	for i := range head {
		idx = append(idx, i)
	}
	if markGap {
		idx = append(idx, -1)
	}
	for i := n - tail; i < n; i++ {
		idx = append(idx, i)
	}
	return idx
}

func formatEntry(x float64) string {
	if x == math.Trunc(x) && math.Abs(x) < 1e15 {
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return strconv.FormatFloat(x, 'g', 4, 64)
}

// matrixBundle renders m as an HTML table captioned with its type and shape
// (abridged when large) and a text/plain form like mat.Formatted.
func matrixBundle(m mat.Matrix) (b Bundle, err error) {
	defer func() {
		if r := recover(); r != nil {
			b, err = Bundle{}, fmt.Errorf("display: matrix %T: %v", m, r)
		}
	}()
	r, c := m.Dims()
	rows, cols := shownIndices(r, matMaxRows, matHead, matTail, true), shownIndices(c, matMaxCols, matHead, matTail, true)
	abridged := r > matMaxRows || c > matMaxCols
	caption := fmt.Sprintf("%T %d×%d", m, r, c)
	if abridged {
		caption += " (abridged)"
	}
	var h strings.Builder
	h.WriteString(`<table class="gonote-matrix">`)
	fmt.Fprintf(&h, `<caption style="caption-side:top;text-align:left">%s</caption>`, html.EscapeString(caption))
	h.WriteString("<thead><tr><th></th>")
	for _, j := range cols {
		if j < 0 {
			h.WriteString("<th>…</th>")
		} else {
			fmt.Fprintf(&h, "<th>%d</th>", j)
		}
	}
	h.WriteString("</tr></thead><tbody>")
	for _, i := range rows {
		h.WriteString("<tr>")
		if i < 0 {
			h.WriteString("<th>⋮</th>")
			for _, j := range cols {
				if j < 0 {
					h.WriteString("<td>⋱</td>")
				} else {
					h.WriteString("<td>⋮</td>")
				}
			}
			h.WriteString("</tr>")
			continue
		}
		fmt.Fprintf(&h, "<th>%d</th>", i)
		for _, j := range cols {
			if j < 0 {
				h.WriteString("<td>…</td>")
			} else {
				fmt.Fprintf(&h, "<td>%s</td>", formatEntry(m.At(i, j)))
			}
		}
		h.WriteString("</tr>")
	}
	h.WriteString("</tbody></table>")

	var text string
	if abridged {
		text = fmt.Sprintf("%s\n%v", caption, mat.Formatted(m, mat.Excerpt(matTail), mat.Squeeze()))
	} else {
		text = fmt.Sprintf("%s\n%v", caption, mat.Formatted(m, mat.Squeeze()))
	}
	b = textBundle(text)
	b.Data[MIMEHTML] = h.String()
	return b, nil
}
