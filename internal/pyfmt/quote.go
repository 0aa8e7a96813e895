package pyfmt

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// quoteChar is the quote Python's repr picks for s: a single quote unless s
// holds a single quote and no double quote.
func quoteChar(s string) byte {
	if strings.ContainsRune(s, '\'') && !strings.ContainsRune(s, '"') {
		return '"'
	}
	return '\''
}

// Quote is Python's repr() of a str: backslash escapes for the quote,
// backslash, \n \r \t, \xNN for other control characters and non-printable
// characters up to U+00FF, \uNNNN and \UNNNNNNNN above. An invalid UTF-8
// byte renders as \xNN.
func Quote(s string) string { return quote(s, nonASCIIPython) }

// QuoteWideLatin1 is Quote except that non-printable U+00A0..U+00FF (such as
// the no-break space and the soft hyphen) render as \u00NN rather than \xNN,
// and an invalid UTF-8 byte renders as U+FFFD.
func QuoteWideLatin1(s string) string { return quote(s, nonASCIIWideLatin1) }

// QuoteControls is Quote limited to ASCII: it escapes the quote, backslash,
// \n \r \t and other ASCII control characters (as \xNN), and writes every
// character from U+0080 up as it is. An invalid UTF-8 byte renders as
// U+FFFD.
func QuoteControls(s string) string { return quote(s, nonASCIIAsIs) }

// nonASCII says how quote renders characters from U+0080 up.
type nonASCII int

const (
	nonASCIIPython nonASCII = iota
	nonASCIIWideLatin1
	nonASCIIAsIs
)

func quote(s string, mode nonASCII) string {
	q := quoteChar(s)
	var b strings.Builder
	b.WriteByte(q)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 && mode == nonASCIIPython {
			fmt.Fprintf(&b, "\\x%02x", s[i])
			i++
			continue
		}
		i += size
		switch {
		case r == '\\' || r == rune(q):
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, "\\x%02x", r)
		case r < 0x80 || mode == nonASCIIAsIs || unicode.IsPrint(r):
			b.WriteRune(r)
		case r < 0xa0 || r <= 0xff && mode == nonASCIIPython:
			fmt.Fprintf(&b, "\\x%02x", r)
		case r <= 0xffff:
			fmt.Fprintf(&b, "\\u%04x", r)
		default:
			fmt.Fprintf(&b, "\\U%08x", r)
		}
	}
	b.WriteByte(q)
	return b.String()
}

// JSONString is json.dumps() of a str with ensure_ascii: everything outside
// printable ASCII, DEL included, is escaped, characters above U+FFFF as a
// surrogate pair.
func JSONString(s string) string { return jsonString(s, true) }

// JSONStringKeepDEL is JSONString except that DEL (U+007F) is written as it
// is rather than as \u007f.
func JSONStringKeepDEL(s string) string { return jsonString(s, false) }

func jsonString(s string, escapeDEL bool) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\b':
			b.WriteString(`\b`)
		case r == '\f':
			b.WriteString(`\f`)
		case r < 0x20 || (r == 0x7f && escapeDEL) || (r > 0x7f && r <= 0xffff):
			fmt.Fprintf(&b, `\u%04x`, r)
		case r > 0xffff:
			r -= 0x10000
			fmt.Fprintf(&b, `\u%04x\u%04x`, 0xd800+(r>>10), 0xdc00+(r&0x3ff))
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
