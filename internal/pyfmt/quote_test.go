package pyfmt

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestQuote(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		in         string
		quote      string
		wideLatin1 string
		controls   string
	}{
		{"Backslash", `a\b`, `'a\\b'`, `'a\\b'`, `'a\\b'`},
		{"BothQuotes", `it's "x"`, `'it\'s "x"'`, `'it\'s "x"'`, `'it\'s "x"'`},
		{"C1Control", "\u0085", `'\x85'`, `'\x85'`, "'\u0085'"},
		{"Controls", "\x00\a\x1f\x7f", `'\x00\x07\x1f\x7f'`, `'\x00\x07\x1f\x7f'`, `'\x00\x07\x1f\x7f'`},
		{"DoubleQuoteOnly", `say "hi"`, `'say "hi"'`, `'say "hi"'`, `'say "hi"'`},
		{"Empty", "", `''`, `''`, `''`},
		{"InvalidUTF8", "a\xffb", `'a\xffb'`, "'a\uFFFDb'", "'a\uFFFDb'"},
		{"NoBreakSpace", "\u00a0", `'\xa0'`, `'\u00a0'`, "'\u00a0'"},
		{"NonPrintableAstral", "\U000e0001", `'\U000e0001'`, `'\U000e0001'`, "'\U000e0001'"},
		{"NonPrintableBMP", "\u2028", `'\u2028'`, `'\u2028'`, "'\u2028'"},
		{"Plain", "abc", `'abc'`, `'abc'`, `'abc'`},
		{"Printable", "é中😀", "'é中😀'", "'é中😀'", "'é中😀'"},
		{"SingleQuoteOnly", "it's", `"it's"`, `"it's"`, `"it's"`},
		{"Whitespace", "\t\n\r", `'\t\n\r'`, `'\t\n\r'`, `'\t\n\r'`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.quote, Quote(tt.in))
			require.Equal(t, tt.wideLatin1, QuoteWideLatin1(tt.in))
			require.Equal(t, tt.controls, QuoteControls(tt.in))
		})
	}
}

func TestJSONString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      string
		want    string
		keepDEL string
	}{
		{"Astral", "😀", `"\ud83d\ude00"`, `"\ud83d\ude00"`},
		{"DEL", "\x7f", `"\u007f"`, "\"\x7f\""},
		{"Escapes", "\"\\\n\r\t\b\f", `"\"\\\n\r\t\b\f"`, `"\"\\\n\r\t\b\f"`},
		{"Latin1", "é", `"\u00e9"`, `"\u00e9"`},
		{"NUL", "\x00", `"\u0000"`, `"\u0000"`},
		{"Plain", "a b/c'", `"a b/c'"`, `"a b/c'"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, JSONString(tt.in))
			require.Equal(t, tt.keepDEL, JSONStringKeepDEL(tt.in))
		})
	}
}
