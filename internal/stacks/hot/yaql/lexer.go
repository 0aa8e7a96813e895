package yaql

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// tokenKind is the class of a lexeme, as yaql's lexer names them.
type tokenKind int

const (
	tokEOF     tokenKind = iota
	tokNumber            // 12, 1.5
	tokString            // 'a', "a", `a`
	tokKeyword           // a bare name: abc
	tokFunc              // a name directly followed by "(": abc(
	tokDollar            // $, $name, $1
	tokTrue
	tokFalse
	tokNull
	tokOp      // an operator symbol or word: + - * / mod and or not in = != < ...
	tokMapping // =>
	tokPunct   // ( ) [ ] { } ,
)

type token struct {
	kind tokenKind
	text string // operator, punctuation, name (without "(") or decoded string
	num  any    // int or float64 for tokNumber
	pos  int    // position in runes, as Python's lexpos
}

// display is the value yaql's grammar error shows for the token
// (Python's str() of the lexer's value).
func (t token) display() string {
	switch t.kind {
	case tokNumber:
		return pyStr(t.num)
	case tokTrue:
		return "True"
	case tokFalse:
		return "False"
	case tokNull:
		return "None"
	}
	return t.text
}

// opWords are the operators spelled as words.
var opWords = map[string]bool{"and": true, "or": true, "not": true, "in": true, "mod": true}

// symbols are the operator and punctuation lexemes, longest first where
// one is a prefix of another (PLY orders them by regular expression
// length).
var symbols = []string{
	"?.", "->", "!~", "=~", "=>", "!=", ">=", "<=",
	".", "+", "-", "*", "/", ">", "<", "=", "[", "{", "(", ")", "]", "}", ",",
}

func isWord(r rune) bool { return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) }

func isNameStart(r rune) bool { return r == '_' || unicode.IsLetter(r) }

func isDigit(r rune) bool { return r >= '0' && r <= '9' }

// lex splits an expression into tokens with yaql 1.x's rules.
func lex(src string) ([]token, error) {
	rs := []rune(src)
	var out []token
	wordAt := func(i int) bool { return i >= 0 && i < len(rs) && isWord(rs[i]) }
	i := 0
	for i < len(rs) {
		r := rs[i]
		if r == ' ' || r == '\t' || r == '\r' || r == '\n' {
			i++
			continue
		}
		start := i
		switch {
		case r == '$':
			j := i + 1
			for j < len(rs) && isWord(rs[j]) {
				j++
			}
			out = append(out, token{kind: tokDollar, text: string(rs[i:j]), pos: start})
			i = j
			continue
		case isDigit(r) && !wordAt(i-1):
			j := i
			for j < len(rs) && isDigit(rs[j]) {
				j++
			}
			isFloat := false
			if j+1 < len(rs) && rs[j] == '.' && isDigit(rs[j+1]) {
				isFloat = true
				j++
				for j < len(rs) && isDigit(rs[j]) {
					j++
				}
			}
			if !wordAt(j) {
				text := string(rs[i:j])
				var num any
				if isFloat {
					f, err := strconv.ParseFloat(text, 64)
					if err != nil {
						return nil, lexError(r, start)
					}
					num = f
				} else {
					n, err := strconv.Atoi(text)
					if err != nil {
						return nil, &Error{Msg: "Lexical error: integer literal " + text + " is too large"}
					}
					num = n
				}
				out = append(out, token{kind: tokNumber, text: text, num: num, pos: start})
				i = j
				continue
			}
		case isNameStart(r) && !wordAt(i-1):
			j := i
			for j < len(rs) && isWord(rs[j]) {
				j++
			}
			name := string(rs[i:j])
			if j < len(rs) && rs[j] == '(' {
				out = append(out, token{kind: tokFunc, text: name, pos: start})
				i = j + 1
				continue
			}
			if strings.HasPrefix(name, "__") {
				break
			}
			t := token{kind: tokKeyword, text: name, pos: start}
			switch {
			case opWords[name]:
				t.kind = tokOp
			case name == "true":
				t.kind = tokTrue
			case name == "false":
				t.kind = tokFalse
			case name == "null":
				t.kind = tokNull
			}
			out = append(out, t)
			i = j
			continue
		case r == '\'' || r == '"' || r == '`':
			j := i + 1
			closed := false
			for j < len(rs) {
				if rs[j] == '\\' && j+1 < len(rs) {
					j += 2
					continue
				}
				if rs[j] == r {
					closed = true
					break
				}
				j++
			}
			if closed {
				body := string(rs[i+1 : j])
				if r == '`' {
					body = strings.ReplaceAll(body, "\\`", "`")
				} else {
					body = decodeEscapes(body)
				}
				out = append(out, token{kind: tokString, text: body, pos: start})
				i = j + 1
				continue
			}
		}
		matched := false
		for _, s := range symbols {
			if hasRunePrefix(rs[i:], s) {
				k := tokOp
				switch s {
				case "=>":
					k = tokMapping
				case "(", ")", "]", "}", ",":
					k = tokPunct
				}
				out = append(out, token{kind: k, text: s, pos: start})
				i += utf8.RuneCountInString(s)
				matched = true
				break
			}
		}
		if !matched {
			return nil, lexError(r, start)
		}
	}
	return out, nil
}

func hasRunePrefix(rs []rune, s string) bool {
	i := 0
	for _, r := range s {
		if i >= len(rs) || rs[i] != r {
			return false
		}
		i++
	}
	return true
}

func lexError(r rune, pos int) error {
	return &Error{Msg: "Lexical error: illegal character '" + string(r) + "' at position " + strconv.Itoa(pos)}
}

// decodeEscapes applies Python's unicode-escape to the escape sequences
// yaql recognises (\n, \t, \\, \', \", \xNN, \uNNNN, \UNNNNNNNN, octal);
// any other backslash is kept as written.
func decodeEscapes(s string) string {
	if !strings.Contains(s, "\\") {
		return s
	}
	var b strings.Builder
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		if rs[i] != '\\' || i+1 >= len(rs) {
			b.WriteRune(rs[i])
			continue
		}
		c := rs[i+1]
		simple := map[rune]string{'\\': "\\", '\'': "'", '"': "\"", 'a': "\a", 'b': "\b", 'f': "\f", 'n': "\n", 'r': "\r", 't': "\t", 'v': "\v"}
		if v, ok := simple[c]; ok {
			b.WriteString(v)
			i++
			continue
		}
		width := map[rune]int{'x': 2, 'u': 4, 'U': 8}[c]
		if width > 0 && i+2+width <= len(rs) {
			if n, err := strconv.ParseUint(string(rs[i+2:i+2+width]), 16, 32); err == nil && n <= unicode.MaxRune {
				b.WriteRune(rune(n))
				i += 1 + width
				continue
			}
		}
		if c >= '0' && c <= '7' {
			j := i + 1
			for j < len(rs) && j < i+4 && rs[j] >= '0' && rs[j] <= '7' {
				j++
			}
			n, _ := strconv.ParseUint(string(rs[i+1:j]), 8, 32)
			b.WriteRune(rune(n))
			i = j - 1
			continue
		}
		b.WriteRune(rs[i])
	}
	return b.String()
}
