package pyfmt

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestTruthyAndEqual(t *testing.T) {
	t.Parallel()
	for _, v := range []any{nil, false, 0, int64(0), 0.0, "", []any{}, map[string]any{}} {
		require.False(t, Truthy(v), "%#v", v)
	}
	for _, v := range []any{true, 1, -1.5, "x", []any{nil}, map[string]any{"": nil}, struct{}{}} {
		require.True(t, Truthy(v), "%#v", v)
	}
	type pair struct{ a, b any }
	for _, p := range []pair{{true, 1}, {1, 1.0}, {int64(2), 2}, {nil, nil}, {"a", "a"},
		{[]any{1, "x"}, []any{1.0, "x"}}, {map[string]any{"k": []any{true}}, map[string]any{"k": []any{1}}}} {
		require.True(t, Equal(p.a, p.b), "%#v == %#v", p.a, p.b)
	}
	for _, p := range []pair{{1, "1"}, {nil, 0}, {"a", "b"}, {[]any{1}, []any{1, 2}}, {map[string]any{"k": 1}, map[string]any{"j": 1}},
		{[]any{}, map[string]any{}}, {0, true}, {struct{ s []int }{}, struct{ s []int }{}}} {
		require.False(t, Equal(p.a, p.b), "%#v != %#v", p.a, p.b)
	}
}
