package complete

import (
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// byteOffset converts a cursor position in Unicode code points to a byte
// offset in code, clamped to [0, len(code)].
func byteOffset(code string, cp int) int {
	if cp <= 0 {
		return 0
	}
	n := 0
	for i := range code {
		if n == cp {
			return i
		}
		n++
	}
	return len(code)
}

// codePoints converts a byte offset in code to code points.
func codePoints(code string, b int) int {
	return utf8.RuneCountInString(code[:b])
}

func isIdentRune(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)
}

// wordStart returns the start of the identifier characters ending at b.
func wordStart(code string, b int) int {
	for b > 0 {
		r, size := utf8.DecodeLastRuneInString(code[:b])
		if !isIdentRune(r) {
			break
		}
		b -= size
	}
	return b
}

// wordEnd returns the end of the identifier characters starting at b.
func wordEnd(code string, b int) int {
	for b < len(code) {
		r, size := utf8.DecodeRuneInString(code[b:])
		if !isIdentRune(r) {
			break
		}
		b += size
	}
	return b
}

// lexState is where a position of the source is, lexically.
type lexState int

const (
	inCode lexState = iota
	inLineComment
	inBlockComment
	inString // interpreted string literal
	inRawString
	inRune
)

// stateAt scans code up to end and reports the lexical state there and, for
// a string, the byte offset just after its opening quote.
func stateAt(code string, end int) (lexState, int) {
	st, start := inCode, 0
	for i := 0; i < end; i++ {
		c := code[i]
		switch st {
		case inCode:
			switch {
			case c == '/' && i+1 < end && code[i+1] == '/':
				st, i = inLineComment, i+1
			case c == '/' && i+1 < end && code[i+1] == '*':
				st, i = inBlockComment, i+1
			case c == '"':
				st, start = inString, i+1
			case c == '`':
				st, start = inRawString, i+1
			case c == '\'':
				st, start = inRune, i+1
			}
		case inLineComment:
			if c == '\n' {
				st = inCode
			}
		case inBlockComment:
			if c == '*' && i+1 < end && code[i+1] == '/' {
				st, i = inCode, i+1
			}
		case inString, inRune:
			switch c {
			case '\\':
				i++
			case '\n':
				st = inCode
			case '"':
				if st == inString {
					st = inCode
				}
			case '\'':
				if st == inRune {
					st = inCode
				}
			}
		case inRawString:
			if c == '`' {
				st = inCode
			}
		}
	}
	return st, start
}

// exprBefore returns the start of the selector/call/index chain that ends at
// end (exclusive), e.g. `p.Title` or `mat.NewDense(2, 2, nil).T()`, or -1
// when there is none.
func exprBefore(code string, end int) int {
	j := end
	for j > 0 {
		c := code[j-1]
		if c == ')' || c == ']' {
			k := matchOpen(code, j-1)
			if k < 0 {
				return -1
			}
			j = k
			continue
		}
		r, _ := utf8.DecodeLastRuneInString(code[:j])
		if !isIdentRune(r) {
			break
		}
		j = wordStart(code, j)
		if j > 0 && code[j-1] == '.' {
			j--
			continue
		}
		break
	}
	if j == end {
		return -1
	}
	return j
}

// matchOpen returns the index of the bracket opening the one that closes at
// i, skipping brackets inside string and rune literals of the group.
func matchOpen(code string, i int) int {
	depth := 0
	for k := i; k >= 0; k-- {
		switch code[k] {
		case ')', ']', '}':
			depth++
		case '(', '[', '{':
			depth--
			if depth == 0 {
				return k
			}
		case '"', '\'', '`':
			q := code[k]
			for k--; k >= 0 && code[k] != q; k-- {
			}
			if k < 0 {
				return -1
			}
		}
	}
	return -1
}

const identRE = `[\p{L}_][\p{L}\p{N}_]*`

var (
	// x := e, var x = e, x = e, and x, y := e (x is the first result of e)
	reAssign = regexp.MustCompile(`^\s*(?:var\s+)?(` + identRE + `)\s*(?:,\s*` + identRE + `\s*)*(?::=|=)\s*(.+?)\s*;?\s*$`)
	// var x T
	reVarType = regexp.MustCompile(`^\s*var\s+(` + identRE + `)\s+([^=]+?)\s*;?\s*$`)
	// for k, v := range e {
	reRange = regexp.MustCompile(`^\s*for\s+` + identRE + `\s*,\s*(` + identRE + `)\s*:=\s*range\s+(.+?)\s*\{\s*$`)
	// func (r T) Name(params) results {
	reFunc = regexp.MustCompile(`^\s*func\b.*\{\s*$`)
)

// local is a name the cell being edited defines before the cursor.
type local struct {
	expr string // value expression (`x := expr`) or "" if declared with a type
	typ  string // declared type (`var x T`)
}

// cellLocals collects the single-name definitions `x := e`, `var x = e`,
// `x = e` and `var x T` on the lines of code before the line holding end.
// Later definitions replace earlier ones.
func cellLocals(code string, end int) map[string]local {
	lineStart := strings.LastIndexByte(code[:end], '\n')
	if lineStart < 0 {
		return nil
	}
	locals := map[string]local{}
	for _, line := range strings.Split(code[:lineStart], "\n") {
		if m := reVarType.FindStringSubmatch(line); m != nil {
			locals[m[1]] = local{typ: m[2]}
			continue
		}
		if m := reRange.FindStringSubmatch(line); m != nil {
			locals[m[1]] = local{expr: "(" + m[2] + ")[0]"}
			continue
		}
		if reFunc.MatchString(line) {
			funcParams(line, locals)
			continue
		}
		if m := reAssign.FindStringSubmatch(line); m != nil {
			locals[m[1]] = local{expr: m[2]}
		}
	}
	return locals
}

// funcParams adds the receiver and parameters of a func declaration line
// (`func (p *Point) Scale(k float64, m *mat.Dense) {`) to locals.
func funcParams(line string, locals map[string]local) {
	f, err := parser.ParseFile(token.NewFileSet(), "", "package p\n"+line+"\n}", parser.SkipObjectResolution)
	if err != nil || len(f.Decls) != 1 {
		return
	}
	fd, ok := f.Decls[0].(*ast.FuncDecl)
	if !ok {
		return
	}
	lists := []*ast.FieldList{fd.Recv, fd.Type.Params}
	for _, fl := range lists {
		if fl == nil {
			continue
		}
		for _, field := range fl.List {
			typ := types.ExprString(field.Type)
			if el, ok := field.Type.(*ast.Ellipsis); ok {
				typ = "[]" + types.ExprString(el.Elt)
			}
			for _, n := range field.Names {
				locals[n.Name] = local{typ: typ}
			}
		}
	}
}

// importLine reports whether the string literal starting at strStart is an
// import path: on an `import "...` line or inside an `import (` block.
func importLine(code string, strStart int) bool {
	lineStart := strings.LastIndexByte(code[:strStart], '\n') + 1
	head := strings.TrimSpace(code[lineStart : strStart-1])
	fields := strings.Fields(head)
	if len(fields) > 0 && fields[0] == "import" {
		return len(fields) <= 2
	}
	if len(fields) > 1 {
		return false
	}
	// inside an import block: the nearest preceding "import (" is not closed
	before := code[:lineStart]
	open := strings.LastIndex(before, "import (")
	if open < 0 {
		return false
	}
	return !strings.Contains(before[open:], ")")
}
