// Package pyfmt renders Go values as Python's str, repr and json.dumps render
// the equivalent Python values, for wire texts that copy a Python service's
// messages.
//
// # Model
//
// Kiln copies the error texts and attribute values of OpenStack services
// byte for byte, and those services build them with str(), repr() and
// json.dumps() of Python objects. A Go value stands for the Python value
// json.loads or a YAML loader would have made: nil is None, bool is bool,
// integers are int, float64 is float, string is str, []any and []string are
// list, map[string]any is dict.
//
// Python keeps a dict's insertion order and a set's hash order; Go maps keep
// none, so every rendering here sorts dict keys and set members. Callers
// that need a document's own key order use JSONRaw.
//
// # Variants
//
// Kiln's callers grew apart in details that are now pinned by golden files,
// so the package keeps each behaviour under its own name rather than one
// "correct" rendering:
//
//   - Repr, Str, JSON (and their Depth forms) take plain values (int,
//     float64) and escape strings exactly as CPython's repr does (Quote).
//   - ReprDecoded, StrDecoded, SetDecoded and ListDecoded take values decoded
//     with json.Decoder.UseNumber and render a json.Number as the int or
//     float Python would parse; they escape non-printable U+00A0..U+00FF as
//     \u00XX (QuoteWideLatin1) and render unknown types as None.
//   - ReprVerbatim renders a json.Number exactly as written and escapes only
//     ASCII control characters (QuoteControls).
//   - ReprValue, StrValue and JSONValue first normalise a value with Value
//     (any integer type to int64, an integral float64 to int64), escape only
//     ASCII control characters, and leave DEL unescaped in JSON
//     (JSONStringKeepDEL).
//
// # Limits
//
// The package only renders; it does not implement Python's equality,
// truthiness or number parsing. All functions are pure and safe for
// concurrent use, except that SetDecoded sorts the slice it is given.
package pyfmt
