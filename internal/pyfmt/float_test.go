package pyfmt

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestFloat(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   float64
		want string
		json string
	}{
		{"Fraction", 0.1, "0.1", "0.1"},
		{"Integral", 3, "3.0", "3.0"},
		{"Large", 1e16, "1e+16", "1e+16"},
		{"LargestPositional", 1e15, "1000000000000000.0", "1000000000000000.0"},
		{"NaN", math.NaN(), "nan", "NaN"},
		{"NegativeInfinity", math.Inf(-1), "-inf", "-Infinity"},
		{"NegativeZero", math.Copysign(0, -1), "-0.0", "-0.0"},
		{"PositiveInfinity", math.Inf(1), "inf", "Infinity"},
		{"Small", 0.00001, "1e-05", "1e-05"},
		{"SmallestPositional", 0.0001, "0.0001", "0.0001"},
		{"Subnormal", 5e-324, "5e-324", "5e-324"},
		{"ThreeDigitExponent", 1.5e300, "1.5e+300", "1.5e+300"},
		{"Zero", 0, "0.0", "0.0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, Float(tt.in))
			require.Equal(t, tt.json, JSONFloat(tt.in))
		})
	}
}

func TestNumber(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   json.Number
		want string
	}{
		{"BigInt", "12345678901234567890123", "12345678901234567890123"},
		{"Exponent", "1E5", "100000.0"},
		{"Float", "5.0", "5.0"},
		{"Int", "5", "5"},
		{"NegativeZero", "-0", "0"},
		{"Overflow", "1e400", "1e400"},
		{"TrailingZero", "-12.50", "-12.5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, Number(tt.in))
		})
	}
}
