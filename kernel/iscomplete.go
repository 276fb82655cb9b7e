package kernel

import (
	"go/scanner"
	"go/token"
	"strings"
)

// Completeness is the answer to is_complete_request.
type Completeness struct {
	Status string // "complete", "incomplete" or "invalid"
	Indent string // for "incomplete": what the next line starts with
}

// continuation holds the tokens after which a Go line cannot end a
// statement: the next line must continue it.
var continuation = map[token.Token]bool{
	token.ADD: true, token.SUB: true, token.MUL: true, token.QUO: true, token.REM: true,
	token.AND: true, token.OR: true, token.XOR: true, token.SHL: true, token.SHR: true, token.AND_NOT: true,
	token.LAND: true, token.LOR: true, token.ARROW: true,
	token.EQL: true, token.LSS: true, token.GTR: true, token.NEQ: true, token.LEQ: true, token.GEQ: true,
	token.ASSIGN: true, token.DEFINE: true, token.COMMA: true, token.PERIOD: true, token.COLON: true,
	token.ADD_ASSIGN: true, token.SUB_ASSIGN: true, token.MUL_ASSIGN: true, token.QUO_ASSIGN: true,
	token.REM_ASSIGN: true, token.AND_ASSIGN: true, token.OR_ASSIGN: true, token.XOR_ASSIGN: true,
	token.SHL_ASSIGN: true, token.SHR_ASSIGN: true, token.AND_NOT_ASSIGN: true,
}

// IsComplete decides with Go's scanner whether a cell can run as typed:
// open brackets, an unterminated raw string or block comment, or a line
// ending in an operator ask for more lines; a closing bracket without its
// opener or a token Go cannot scan is invalid. Lines starting with % or !
// are magics, complete by themselves. What remains is for the cell
// compiler to judge when it runs.
func IsComplete(code string) Completeness {
	trimmed := strings.TrimLeft(code, " \t\r\n")
	if strings.HasPrefix(trimmed, "%%") {
		return Completeness{Status: "complete"}
	}
	lines := strings.Split(code, "\n")
	for i, line := range lines {
		if t := strings.TrimLeft(line, " \t"); strings.HasPrefix(t, "%") || strings.HasPrefix(t, "!") {
			lines[i] = ""
		}
	}
	src := []byte(strings.Join(lines, "\n"))

	fset := token.NewFileSet()
	file := fset.AddFile("cell", -1, len(src))
	var errs []string
	var sc scanner.Scanner
	sc.Init(file, src, func(_ token.Position, msg string) { errs = append(errs, msg) }, 0)

	var stack []token.Token
	last := token.ILLEGAL
	for {
		_, tok, lit := sc.Scan()
		if tok == token.EOF {
			break
		}
		switch tok {
		case token.LPAREN, token.LBRACK, token.LBRACE:
			stack = append(stack, tok)
		case token.RPAREN, token.RBRACK, token.RBRACE:
			open := map[token.Token]token.Token{token.RPAREN: token.LPAREN, token.RBRACK: token.LBRACK, token.RBRACE: token.LBRACE}[tok]
			if len(stack) == 0 || stack[len(stack)-1] != open {
				return Completeness{Status: "invalid"}
			}
			stack = stack[:len(stack)-1]
		case token.SEMICOLON:
			if lit == "\n" {
				continue // automatic semicolon: keep the token before it
			}
		}
		last = tok
	}
	for _, msg := range errs {
		if strings.Contains(msg, "raw string literal not terminated") || strings.Contains(msg, "comment not terminated") {
			return Completeness{Status: "incomplete", Indent: ""}
		}
	}
	if len(errs) > 0 {
		return Completeness{Status: "invalid"}
	}
	if len(stack) > 0 {
		return Completeness{Status: "incomplete", Indent: strings.Repeat(indentUnit, len(stack))}
	}
	if continuation[last] {
		return Completeness{Status: "incomplete", Indent: indentUnit}
	}
	return Completeness{Status: "complete"}
}

// indentUnit is one level of the indent hint. Four spaces rather than Go's
// tab: jupyter console inserts the hint literally and shows a tab as "^I".
const indentUnit = "    "
