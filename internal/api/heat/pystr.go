package heat

import "github.com/kilnhq/kiln/internal/pyfmt"

// Heat formats request values into its messages with Python's str() and
// repr(); package pyfmt reproduces them for JSON-decoded values (numbers as
// json.Number, so that 5 and 5.0 stay apart). These names keep the
// dialect's calls short.

// pyStr is Python's str(v).
func pyStr(v any) string { return pyfmt.StrDecoded(v) }

// pyRepr is Python's repr(v), map keys sorted.
func pyRepr(v any) string { return pyfmt.ReprDecoded(v) }

// pySet is repr() of a set of strings, sorted in place.
func pySet(items []string) string { return pyfmt.SetDecoded(items) }

// pyList is repr() of a list of strings.
func pyList(items []string) string { return pyfmt.ListDecoded(items) }
