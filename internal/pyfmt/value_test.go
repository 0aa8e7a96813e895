package pyfmt

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestValue(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   any
		want any
	}{
		{"Float", 2.5, 2.5},
		{"FloatIntegral", 2.0, int64(2)},
		{"Int", 3, int64(3)},
		{"JSONNumberFloat", json.Number("2.5"), 2.5},
		{"JSONNumberInt", json.Number("7"), int64(7)},
		{"MapOfStrings", map[string]string{"k": "v"}, map[string]any{"k": "v"}},
		{"Nil", nil, nil},
		{"StringSlice", []string{"a"}, []any{"a"}},
		{"Uint8", uint8(9), int64(9)},
		{"Unknown", struct{}{}, struct{}{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, Value(tt.in))
		})
	}
}
