// Package yaql evaluates YAQL 1.x expressions, the query language behind
// Heat's yaql intrinsic function, for the subset Heat and TripleO
// templates use. It is a hand-written lexer, a parser to an expression
// tree and a tree-walking evaluator; there is no maintained YAQL library
// in Go.
//
// # Model
//
// Parse turns an expression into an immutable *Expression; Evaluate runs
// it with $ bound to a JSON-like root value (Heat binds {"data": <data>},
// so templates write $.data.x). Values are those of package hot: maps
// with string keys, lists ([]any), strings, int, float64, bool and nil,
// plus three values that live only during evaluation: regex(...) objects,
// contexts made by let/with (consumed by ->) and the lazy sequences of
// range() and sequence(), which are materialised only when consumed.
//
// The grammar and operator precedence are yaql's (YaqlFactory with "=>"
// for named arguments): from loosest to tightest "->" (right
// associative), or, and, not, comparisons with = != in, + -, * / mod,
// =~ !~, unary + -, indexers x[...], and "." / "?.". Functions follow
// yaql's standard library names (camelCase) and its split between
// functions f(x), methods x.f() and extension methods (both). Inside a
// lambda argument (select, where, orderBy, ...) $ is rebound to the item
// and $1, $2 ... to the lambda's arguments; $name reads a let binding.
// Operators and functions keep Python's semantics: integer division
// floors, and/or return an operand, 1 = 1.0 and true = 1, null sorts
// before everything.
//
// # Limits
//
// Heat configures yaql with limit_iterators (200) and memory_quota (10000
// bytes); Options carries both with the same defaults and the same
// errors: a collection of more than 200 items passed to a function or
// returned fails with "Collection length exceeds 200 elements", a call
// whose result is larger than the quota (Python's sys.getsizeof,
// approximated: strings and lists) fails with "Expression consumed too
// much memory". Kiln adds MaxSteps, a bound on evaluation work (nested
// queries multiply), and MaxNesting, a bound on expression nesting.
//
// # Errors
//
// Every error is an *Error whose text is yaql's: "Parse error: unexpected
// ')' at position 3 of expression '...'", "Lexical error: illegal
// character '#' at position 0", "Unknown function \"foo\"", "No method
// \"select\" for receiver 5 matches supplied arguments", or the str() of
// the Python exception yaql lets through ("'key'" for a missing map key,
// "tuple index out of range", "integer division or modulo by zero").
// Evaluation never panics on input.
//
// # Not supported
//
// Sets (set(), toSet, union, ...), thenBy/thenByDescending, zipLongest,
// cycle, repeat, generate/generateMany, slice/splitWhere/splitAt,
// accumulate, rightSplit, characters, hex, random, the bitwise
// functions, date and time functions, def/lambda/call (delegates are off
// in Heat too), yaqlized objects and replaceBy are not implemented and
// fail as unknown functions. Regular expressions use Go's RE2, so
// Python-only syntax (look-around, back references) is rejected. Maps
// are unordered: keys(), values(), items() and iteration over a map
// follow sorted keys where Python keeps insertion order, and map keys
// are strings (other keys are converted with str()). Lazy collections
// can be consumed more than once (yaql's iterators are consumed once).
// yaql has no format() function; neither does Kiln.
package yaql
