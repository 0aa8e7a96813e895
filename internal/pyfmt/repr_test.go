package pyfmt

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRepr(t *testing.T) {
	t.Parallel()
	type point struct{ X int }
	tests := []struct {
		name     string
		in       any
		repr     string
		decoded  string
		verbatim string
		value    string
	}{
		{"Bool", true, "True", "True", "True", "True"},
		{"Float", 2.5, "2.5", "2.5", "2.5", "2.5"},
		{"FloatIntegral", 2.0, "2.0", "2.0", "2", "2"},
		{"Int", 7, "7", "None", "7", "7"},
		{"JSONNumberFloat", json.Number("5.0"), "5.0", "5.0", "5.0", "5.0"},
		{"JSONNumberInt", json.Number("-0"), "-0", "0", "-0", "0"},
		{"List", []any{1.5, "a", nil}, "[1.5, 'a', None]", "[1.5, 'a', None]", "[1.5, 'a', None]", "[1.5, 'a', None]"},
		{"Map", map[string]any{"b": false, "a": "x"}, "{'a': 'x', 'b': False}", "{'a': 'x', 'b': False}", "{'a': 'x', 'b': False}", "{'a': 'x', 'b': False}"},
		{"MapOfStrings", map[string]string{"k": "v"}, "map[k:v]", "None", "map[k:v]", "{'k': 'v'}"},
		{"Nil", nil, "None", "None", "None", "None"},
		{"NoBreakSpace", "\u00a0", `'\xa0'`, `'\u00a0'`, "'\u00a0'", "'\u00a0'"},
		{"String", "it's", `"it's"`, `"it's"`, `"it's"`, `"it's"`},
		{"StringSlice", []string{"a"}, "['a']", "['a']", "[a]", "['a']"},
		{"Struct", point{1}, "{1}", "None", "{1}", "{1}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.repr, Repr(tt.in))
			require.Equal(t, tt.decoded, ReprDecoded(tt.in))
			require.Equal(t, tt.verbatim, ReprVerbatim(tt.in))
			require.Equal(t, tt.value, ReprValue(tt.in))
		})
	}
}

func TestReprDepth(t *testing.T) {
	t.Parallel()
	v := []any{[]any{[]any{"deep"}}}
	require.Equal(t, "[[['deep']]]", ReprDepth(v, 3))
	require.Equal(t, "[[...]]", ReprDepth(v, 1))
	require.Equal(t, "[[null]]", JSONDepth(v, 1))
	require.Equal(t, "[[['deep']]]", Repr(v))
}

func TestStr(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   any
		want string
	}{
		{"List", []any{"a"}, "['a']"},
		{"Nil", nil, "None"},
		{"String", "it's", "it's"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, Str(tt.in))
			require.Equal(t, tt.want, StrDepth(tt.in, 10))
			require.Equal(t, tt.want, StrDecoded(tt.in))
			require.Equal(t, tt.want, StrValue(tt.in))
		})
	}
}

func TestSetDecoded(t *testing.T) {
	t.Parallel()
	items := []string{"b", "a\u00a0"}
	require.Equal(t, `{'a\u00a0', 'b'}`, SetDecoded(items))
	require.Equal(t, []string{"a\u00a0", "b"}, items, "sorted in place")
	require.Equal(t, `['a\u00a0', 'b']`, ListDecoded(items))
	require.Equal(t, "{}", SetDecoded(nil))
}
