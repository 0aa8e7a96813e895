package pyfmt

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		in    any
		plain string
		value string
	}{
		{"Bool", false, "false", "false"},
		{"DEL", "\x7f", `"\u007f"`, "\"\x7f\""},
		{"FloatIntegral", 2.0, "2.0", "2"},
		{"Infinity", math.Inf(1), "Infinity", "Infinity"},
		{"Int", 3, "3", "3"},
		{"Int64", int64(3), `"3"`, "3"},
		{"JSONNumberFloat", json.Number("2.0"), `"2.0"`, "2.0"},
		{"List", []any{"a", nil}, `["a", null]`, `["a", null]`},
		{"Map", map[string]any{"b": 1, "a": "é"}, `{"a": "\u00e9", "b": 1}`, `{"a": "\u00e9", "b": 1}`},
		{"Nil", nil, "null", "null"},
		{"StringSlice", []string{"x"}, `["x"]`, `["x"]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.plain, JSON(tt.in))
			require.Equal(t, tt.value, JSONValue(tt.in))
		})
	}
}

func TestJSONRaw(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      string
		want    string
		wantErr bool
	}{
		{"KeyOrderKept", `{"b":1,"a":2}`, `{"b": 1, "a": 2}`, false},
		{"Numbers", `[1.0,-0,7e0,1e400]`, `[1.0, 0, 7.0, Infinity]`, false},
		{"RepeatedKey", `{"a":1,"b":2,"a":3}`, `{"a": 3, "b": 2}`, false},
		{"Scalars", `[true,null,"\u00e9"]`, `[true, null, "\u00e9"]`, false},
		{"Truncated", `[1,`, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := JSONRaw([]byte(tt.in))
			if tt.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}
