package workflowlint

import "strings"

// expression is one `${{ … }}` in a string: where it starts in the string and its body.
type expression struct {
	offset int // byte offset of `${{` in the string
	body   string
}

// expressions lists the `${{ … }}` in a string. An expression ends at the first `}}`
// outside a string literal; an unterminated one runs to the end of the string.
func expressions(s string) []expression {
	var out []expression
	for i := 0; ; {
		k := indexFrom(s, exprOpen, i)
		if k < 0 {
			return out
		}
		start := k + len(exprOpen)
		end := exprEnd(s, start)
		out = append(out, expression{offset: k, body: s[start:end]})
		i = min(end+2, len(s))
	}
}

// exprEnd is the offset of the `}}` closing an expression whose body starts at from.
func exprEnd(s string, from int) int {
	inString := false
	for i := from; i < len(s); i++ {
		switch {
		case s[i] == '\'':
			// '' inside a literal is an escaped quote: leaving and re-entering is the same.
			inString = !inString
		case !inString && s[i] == '}' && i+1 < len(s) && s[i+1] == '}':
			return i
		}
	}
	return len(s)
}

type tokenKind int

const (
	tokIdent tokenKind = iota
	tokNumber
	tokString
	tokDot
	tokStar
	tokLBracket
	tokRBracket
	tokLParen
	tokOther // operators, commas, anything else
)

type token struct {
	kind tokenKind
	text string // identifiers lower-cased (contexts are case-insensitive); strings unquoted
}

// tokenize splits an expression body into tokens. It never fails: a character it does
// not know is a tokOther, so a malformed expression still yields the references in it.
func tokenize(body string) []token {
	var out []token
	for i := 0; i < len(body); {
		c := body[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case isIdentStart(c):
			j := i + 1
			for j < len(body) && isIdentPart(body[j]) {
				j++
			}
			out = append(out, token{tokIdent, strings.ToLower(body[i:j])})
			i = j
		case c >= '0' && c <= '9':
			j := i + 1
			for j < len(body) && (isIdentPart(body[j]) || body[j] == '.' && j+1 < len(body) && body[j+1] >= '0' && body[j+1] <= '9') {
				j++
			}
			out = append(out, token{tokNumber, body[i:j]})
			i = j
		case c == '\'':
			var b strings.Builder
			j := i + 1
			for j < len(body) {
				if body[j] == '\'' {
					if j+1 < len(body) && body[j+1] == '\'' {
						b.WriteByte('\'')
						j += 2
						continue
					}
					j++
					break
				}
				b.WriteByte(body[j])
				j++
			}
			out = append(out, token{tokString, strings.ToLower(b.String())})
			i = j
		default:
			out = append(out, token{punctuation(c), string(c)})
			i++
		}
	}
	return out
}

func punctuation(c byte) tokenKind {
	switch c {
	case '.':
		return tokDot
	case '*':
		return tokStar
	case '[':
		return tokLBracket
	case ']':
		return tokRBracket
	case '(':
		return tokLParen
	}
	return tokOther
}

func isIdentStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isIdentPart(c byte) bool {
	return isIdentStart(c) || c == '-' || c >= '0' && c <= '9'
}

// Segments of a reference that stand for "any property": `.*` and `[0]` (one element
// of an array), and a computed index like `[format(…)]`, which could be anything.
const (
	segAny      = "*"
	segComputed = "?"
)

// references lists the context paths an expression reads, e.g. github.event['issue']
// ['title'] → [github event issue title], github.event.commits[0].message →
// [github event commits * message]. Function names are not references; their arguments
// are read like any other part of the expression.
func references(body string) [][]string {
	return refsIn(tokenize(body))
}

func refsIn(toks []token) [][]string {
	var out [][]string
	for i := 0; i < len(toks); {
		t := toks[i]
		afterDot := i > 0 && toks[i-1].kind == tokDot // a property of something else: fromJSON(x).title
		if t.kind != tokIdent || afterDot || isLiteral(t.text) || i+1 < len(toks) && toks[i+1].kind == tokLParen {
			i++
			continue
		}
		path := []string{t.text}
		i++
	path:
		for i < len(toks) {
			switch toks[i].kind {
			case tokDot:
				if i+1 >= len(toks) {
					i++
					break path
				}
				switch next := toks[i+1]; next.kind {
				case tokIdent, tokNumber:
					path = append(path, next.text)
				case tokStar:
					path = append(path, segAny)
				default:
					i++
					break path
				}
				i += 2
			case tokLBracket:
				end := matchingBracket(toks, i)
				inner := toks[i+1 : end]
				switch {
				case len(inner) == 1 && inner[0].kind == tokString:
					path = append(path, inner[0].text)
				case len(inner) == 1 && (inner[0].kind == tokNumber || inner[0].kind == tokStar):
					path = append(path, segAny)
				default:
					// A computed index could name any property, and what computes it may
					// itself read a context.
					path = append(path, segComputed)
					out = append(out, refsIn(inner)...)
				}
				i = min(end+1, len(toks))
			default:
				break path
			}
		}
		out = append(out, path)
	}
	return out
}

// matchingBracket is the index of the ] closing the [ at open, or len(toks).
func matchingBracket(toks []token, open int) int {
	depth := 0
	for i := open; i < len(toks); i++ {
		switch toks[i].kind {
		case tokLBracket:
			depth++
		case tokRBracket:
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return len(toks)
}

func isLiteral(ident string) bool {
	switch ident {
	case "true", "false", "null", "nan", "infinity":
		return true
	}
	return false
}

// refMatches reports whether a reference reads what pattern names: exactly, or a part
// of it (pattern is a prefix of ref), or an object that contains it (ref is a prefix of
// pattern: toJSON(github.event.pull_request) includes the title). "*" in a pattern
// matches any segment; "*" and "?" in a reference match any pattern segment.
func refMatches(ref, pattern []string) bool {
	n := min(len(ref), len(pattern))
	for i := 0; i < n; i++ {
		r, p := ref[i], pattern[i]
		if r != p && p != segAny && r != segAny && r != segComputed {
			return false
		}
	}
	return true
}
