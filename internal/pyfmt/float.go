package pyfmt

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Float is Python's repr() (and str()) of a float: the shortest
// round-tripping digits, positional for decimal exponents -4..15 and
// scientific with a signed two-digit exponent otherwise; a positional value
// always keeps a fraction ("1.0"). Infinities and NaN are inf, -inf, nan.
func Float(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case math.IsNaN(f):
		return "nan"
	}
	e := strconv.FormatFloat(f, 'e', -1, 64) // d.ddde±XX
	mant, expStr, _ := strings.Cut(e, "e")
	exp, _ := strconv.Atoi(expStr)
	if exp < -4 || exp >= 16 {
		sign := "+"
		if exp < 0 {
			sign = "-"
			exp = -exp
		}
		return fmt.Sprintf("%se%s%02d", mant, sign, exp)
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s
}

// JSONFloat is json.dumps() of a float: Float, with Infinity, -Infinity and
// NaN for the values JSON cannot hold.
func JSONFloat(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case math.IsNaN(f):
		return "NaN"
	}
	return Float(f)
}

// Number is repr() of the int or float Python's json.loads makes of a JSON
// number: digits without a fraction or exponent stay as written ("-0"
// becomes "0"), others render as Float. A number that does not parse is
// returned as written.
func Number(n json.Number) string {
	s := n.String()
	if !strings.ContainsAny(s, ".eE") {
		if s == "-0" {
			return "0"
		}
		return s
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return s
	}
	return Float(f)
}
