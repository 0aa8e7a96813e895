package heat

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Heat parses request bodies with Python's json module (through
// oslo.serialization's jsonutils.loads, which first decodes the bytes as
// UTF-8) and answers a parse failure with the exception's text, e.g.
// "Expecting value: line 1 column 36 (char 35)". pyJSONError reproduces
// those messages: it walks the body as CPython 3.11's C scanner does and
// returns the first error, or "" when Python would accept the document.
// Positions are counted in characters, as Python counts them.
//
// Python accepts NaN, Infinity and -Infinity; Kiln does not (Go's decoder
// cannot represent them), and reports "Expecting value" there.

// maxJSONDepth bounds nesting. Python stops at its recursion limit with a
// RecursionError; Kiln answers 400 with that text.
const maxJSONDepth = 1000

type pyScanner struct {
	s     []byte
	depth int
	// err is the first error: its message and byte offset.
	err    string
	errPos int
}

func (p *pyScanner) fail(msg string, pos int) int {
	if p.err == "" {
		p.err, p.errPos = msg, pos
	}
	return -1
}

func isPyWS(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func (p *pyScanner) skipWS(i int) int {
	for i < len(p.s) && isPyWS(p.s[i]) {
		i++
	}
	return i
}

// pyJSONError returns Python's error text for b, or "".
func pyJSONError(b []byte) string {
	if msg := pyUTF8Error(b); msg != "" {
		return msg
	}
	p := &pyScanner{s: b}
	i := p.skipWS(0)
	end := p.value(i)
	if end >= 0 {
		end = p.skipWS(end)
		if end != len(b) {
			p.fail("Extra data", end)
		}
	}
	if p.err == "" {
		return ""
	}
	if p.err == recursionMsg {
		return p.err
	}
	return pyErrorAt(b, p.err, p.errPos)
}

const recursionMsg = "maximum recursion depth exceeded while decoding a JSON object from a unicode string"

// pyErrorAt formats msg as json.JSONDecodeError does, converting the byte
// offset to a character index.
func pyErrorAt(b []byte, msg string, off int) string {
	pos := utf8.RuneCount(b[:off])
	prefix := string(b[:off])
	line := strings.Count(prefix, "\n") + 1
	col := pos + 1
	if nl := strings.LastIndexByte(prefix, '\n'); nl >= 0 {
		col = pos - utf8.RuneCountInString(prefix[:nl])
	}
	return fmt.Sprintf("%s: line %d column %d (char %d)", msg, line, col, pos)
}

// value scans one value at i and returns the offset after it, or -1.
func (p *pyScanner) value(i int) int {
	if i >= len(p.s) {
		return p.fail("Expecting value", i)
	}
	switch c := p.s[i]; {
	case c == '"':
		return p.str(i + 1)
	case c == '{':
		return p.nested(i, p.object)
	case c == '[':
		return p.nested(i, p.array)
	case c == 'n' && p.has(i, "null"):
		return i + 4
	case c == 't' && p.has(i, "true"):
		return i + 4
	case c == 'f' && p.has(i, "false"):
		return i + 5
	}
	return p.number(i)
}

func (p *pyScanner) has(i int, lit string) bool {
	return len(p.s)-i >= len(lit) && string(p.s[i:i+len(lit)]) == lit
}

func (p *pyScanner) nested(i int, f func(int) int) int {
	if p.depth >= maxJSONDepth {
		p.err = recursionMsg
		return -1
	}
	p.depth++
	defer func() { p.depth-- }()
	return f(i + 1)
}

func (p *pyScanner) object(i int) int {
	i = p.skipWS(i)
	if i < len(p.s) && p.s[i] == '}' {
		return i + 1
	}
	for {
		if i >= len(p.s) || p.s[i] != '"' {
			return p.fail("Expecting property name enclosed in double quotes", i)
		}
		if i = p.str(i + 1); i < 0 {
			return -1
		}
		i = p.skipWS(i)
		if i >= len(p.s) || p.s[i] != ':' {
			return p.fail("Expecting ':' delimiter", i)
		}
		i = p.skipWS(i + 1)
		if i = p.value(i); i < 0 {
			return -1
		}
		i = p.skipWS(i)
		if i < len(p.s) && p.s[i] == '}' {
			return i + 1
		}
		if i >= len(p.s) || p.s[i] != ',' {
			return p.fail("Expecting ',' delimiter", i)
		}
		i = p.skipWS(i + 1)
	}
}

func (p *pyScanner) array(i int) int {
	i = p.skipWS(i)
	if i < len(p.s) && p.s[i] == ']' {
		return i + 1
	}
	for {
		if i = p.value(i); i < 0 {
			return -1
		}
		i = p.skipWS(i)
		if i < len(p.s) && p.s[i] == ']' {
			return i + 1
		}
		if i >= len(p.s) || p.s[i] != ',' {
			return p.fail("Expecting ',' delimiter", i)
		}
		i = p.skipWS(i + 1)
	}
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func hexVal(b []byte) rune {
	var r rune
	for _, c := range b {
		r <<= 4
		switch {
		case c <= '9':
			r |= rune(c - '0')
		case c >= 'a':
			r |= rune(c-'a') + 10
		default:
			r |= rune(c-'A') + 10
		}
	}
	return r
}

// str scans a string whose opening quote is at begin-1.
func (p *pyScanner) str(begin int) int {
	i := begin
	for {
		for i < len(p.s) && p.s[i] != '"' && p.s[i] != '\\' {
			if p.s[i] <= 0x1f {
				return p.fail("Invalid control character at", i)
			}
			i++
		}
		if i >= len(p.s) {
			return p.fail("Unterminated string starting at", begin-1)
		}
		if p.s[i] == '"' {
			return i + 1
		}
		// A backslash.
		i++
		if i >= len(p.s) {
			return p.fail("Unterminated string starting at", begin-1)
		}
		c := p.s[i]
		if c != 'u' {
			if strings.IndexByte(`"\/bfnrt`, c) < 0 {
				return p.fail(`Invalid \escape`, i-1)
			}
			i++
			continue
		}
		u := i
		if u+5 >= len(p.s) || !allHex(p.s[u+1:u+5]) {
			return p.fail(`Invalid \uXXXX escape`, u)
		}
		r := hexVal(p.s[u+1 : u+5])
		i = u + 5
		if 0xd800 <= r && r <= 0xdbff && i+6 < len(p.s) && p.s[i] == '\\' && p.s[i+1] == 'u' {
			if !allHex(p.s[i+2 : i+6]) {
				return p.fail(`Invalid \uXXXX escape`, i+1)
			}
			if r2 := hexVal(p.s[i+2 : i+6]); 0xdc00 <= r2 && r2 <= 0xdfff {
				i += 6
			}
		}
	}
}

func allHex(b []byte) bool {
	for _, c := range b {
		if !isHex(c) {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// number scans a number as CPython's _match_number_unicode: an integer
// part that does not start with 0 unless it is 0, then an optional
// fraction and exponent, each taken only when complete.
func (p *pyScanner) number(start int) int {
	i := start
	if p.s[i] == '-' {
		i++
		if i >= len(p.s) {
			return p.fail("Expecting value", start)
		}
	}
	switch c := p.s[i]; {
	case c >= '1' && c <= '9':
		i++
		for i < len(p.s) && isDigit(p.s[i]) {
			i++
		}
	case c == '0':
		i++
	default:
		return p.fail("Expecting value", start)
	}
	if i+1 < len(p.s) && p.s[i] == '.' && isDigit(p.s[i+1]) {
		i += 2
		for i < len(p.s) && isDigit(p.s[i]) {
			i++
		}
	}
	if i+1 < len(p.s) && (p.s[i] == 'e' || p.s[i] == 'E') {
		e := i
		i++
		if i+1 < len(p.s) && (p.s[i] == '-' || p.s[i] == '+') {
			i++
		}
		for i < len(p.s) && isDigit(p.s[i]) {
			i++
		}
		if !isDigit(p.s[i-1]) {
			i = e
		}
	}
	return i
}

// pyUTF8Error returns Python's UnicodeDecodeError text for the first
// invalid UTF-8 sequence of b, or "".
func pyUTF8Error(b []byte) string {
	for i := 0; i < len(b); {
		c := b[i]
		if c < 0x80 {
			i++
			continue
		}
		if r, n := utf8.DecodeRune(b[i:]); r != utf8.RuneError || n > 1 {
			i += n
			continue
		}
		var need int
		lo, hi := byte(0x80), byte(0xbf)
		switch {
		case c >= 0xc2 && c <= 0xdf:
			need = 1
		case c >= 0xe0 && c <= 0xef:
			need = 2
			if c == 0xe0 {
				lo = 0xa0
			} else if c == 0xed {
				hi = 0x9f
			}
		case c >= 0xf0 && c <= 0xf4:
			need = 3
			if c == 0xf0 {
				lo = 0x90
			} else if c == 0xf4 {
				hi = 0x8f
			}
		default:
			return fmt.Sprintf("'utf-8' codec can't decode byte 0x%02x in position %d: invalid start byte", c, i)
		}
		// Count the valid continuation bytes after the start byte.
		j := i + 1
		for k := 0; k < need && j < len(b); k++ {
			cb := b[j]
			if k == 0 && (cb < lo || cb > hi) || k > 0 && (cb < 0x80 || cb > 0xbf) {
				break
			}
			j++
		}
		reason := "invalid continuation byte"
		if j == len(b) {
			reason = "unexpected end of data"
		}
		if j-i == 1 {
			return fmt.Sprintf("'utf-8' codec can't decode byte 0x%02x in position %d: %s", c, i, reason)
		}
		return fmt.Sprintf("'utf-8' codec can't decode bytes in position %d-%d: %s", i, j-1, reason)
	}
	return ""
}
