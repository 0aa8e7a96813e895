package yaql

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestEvaluate(t *testing.T) {
	t.Parallel()

	data := map[string]any{
		"data": map[string]any{
			"var1":    []any{3, 2, 1},
			"name":    "web",
			"servers": []any{map[string]any{"name": "a", "ip": "10.0.0.1", "role": "x"}, map[string]any{"name": "b", "ip": "10.0.0.2", "role": "y"}, map[string]any{"name": "c", "ip": "10.0.0.3", "role": "x"}},
			"map":     map[string]any{"k1": "v1", "k2": "v2"},
			"nested":  []any{[]any{1, 2}, []any{3, []any{4}}},
			"n":       nil,
		},
	}
	tests := []struct {
		name, expr string
		want       any
		err        string
	}{
		{name: "Int", expr: "12", want: 12},
		{name: "Float", expr: "1.5", want: 1.5},
		{name: "Strings", expr: `'a' + "b" + ` + "`c`", want: "abc"},
		{name: "Escapes", expr: `'a\nb\'c'`, want: "a\nb'c"},
		{name: "Keywords", expr: "[true, false, null]", want: []any{true, false, nil}},
		{name: "Dollar", expr: "$.data.name", want: "web"},
		{name: "Sum", expr: "$.data.var1.sum()", want: 6},
		{name: "Precedence", expr: "1 + 2 * 3 - 4 / 2", want: 5},
		{name: "Parens", expr: "(1 + 2) * 3", want: 9},
		{name: "IntDivisionFloors", expr: "-7 / 2", want: -4},
		{name: "FloatDivision", expr: "3.0 / 2", want: 1.5},
		{name: "Mod", expr: "-7 mod 3", want: 2},
		{name: "UnaryMinusOnMethod", expr: "-$.data.var1.len()", want: -3},
		{name: "Comparisons", expr: "[1 < 2, 'b' > 'a', 2 >= 2, null < 1, 1 = 1.0, 1 != 2]", want: []any{true, true, true, true, true, true}},
		{name: "AndOrReturnOperands", expr: "[1 and 0, 1 or 2, [] or 'x', null and 1]", want: []any{0, 1, "x", nil}},
		{name: "Not", expr: "not 1 = 2", want: true},
		{name: "NotAnd", expr: "not true and true", want: false},
		{name: "In", expr: "[2 in $.data.var1, 'eb' in 'web', 5 in [1]]", want: []any{true, true, false}},
		{name: "ListIndex", expr: "$.data.var1[0] + $.data.var1[-1]", want: 4},
		{name: "DictIndex", expr: "$.data.map['k1']", want: "v1"},
		{name: "DictIndexDefault", expr: "$.data.map['zz', 'd']", want: "d"},
		{name: "Dict", expr: "{a => 1, 'b' => [2]}", want: map[string]any{"a": 1, "b": []any{2}}},
		{name: "AttributeOfList", expr: "$.data.servers.name", want: []any{"a", "b", "c"}},
		{name: "Select", expr: "$.data.var1.select($ * 2)", want: []any{6, 4, 2}},
		{name: "SelectDict", expr: "$.data.servers.select({$.name => $.ip})", want: []any{map[string]any{"a": "10.0.0.1"}, map[string]any{"b": "10.0.0.2"}, map[string]any{"c": "10.0.0.3"}}},
		{name: "Where", expr: "$.data.servers.where($.role = x).select($.name)", want: []any{"a", "c"}},
		{name: "Filter", expr: "$.data.var1.filter($ > 1)", want: []any{3, 2}},
		{name: "SelectMany", expr: "[[1, 2], [3]].selectMany($)", want: []any{1, 2, 3}},
		{name: "Distinct", expr: "[1, 2, 1, 3, 2].distinct()", want: []any{1, 2, 3}},
		{name: "Flatten", expr: "$.data.nested.flatten()", want: []any{1, 2, 3, 4}},
		{name: "Len", expr: "[$.data.var1.len(), len('abc'), $.data.map.len(), $.data.var1.count()]", want: []any{3, 3, 2, 3}},
		{name: "MaxMin", expr: "[$.data.var1.max(), $.data.var1.min(), max(1, 5), min(1, 5)]", want: []any{3, 1, 5, 1}},
		{name: "FirstLast", expr: "[$.data.var1.first(), $.data.var1.last(), [].first(7)]", want: []any{3, 1, 7}},
		{name: "SkipTake", expr: "$.data.var1.skip(1).take(1)", want: []any{2}},
		{name: "OrderBy", expr: "$.data.var1.orderBy($)", want: []any{1, 2, 3}},
		{name: "OrderByDescending", expr: "$.data.servers.orderByDescending($.name).select($.name)", want: []any{"c", "b", "a"}},
		{name: "GroupBy", expr: "$.data.servers.groupBy($.role, $.name)", want: []any{[]any{"x", []any{"a", "c"}}, []any{"y", []any{"b"}}}},
		{name: "AnyAll", expr: "[$.data.var1.any($ > 2), $.data.var1.all($ > 2), [].all()]", want: []any{true, false, true}},
		{name: "JoinBothOrders", expr: "[['a', 'b'].join(','), '-'.join(['a', 1])]", want: []any{"a,b", "a-1"}},
		{name: "Split", expr: "['a,b,c'.split(','), ' a  b '.split(), 'a,b,c'.split(',', 1)]", want: []any{[]any{"a", "b", "c"}, []any{"a", "b"}, []any{"a", "b,c"}}},
		{name: "StringFunctions", expr: "['aBc'.toUpper(), 'aBc'.toLower(), '  x '.trim(), 'abab'.replace('b', 'c'), 'abcd'.substring(1, 2)]", want: []any{"ABC", "abc", "x", "acac", "bc"}},
		{name: "Str", expr: "[str(1), str(null), str(true), str([1, 'a']), str(1.5)]", want: []any{"1", "null", "true", "(1, 'a')", "1.5"}},
		{name: "Conversions", expr: "[int('12'), int(2.9), int(null), float('1.5'), bool([]), bool('x')]", want: []any{12, 2, 0, 1.5, false, true}},
		{name: "KeysValuesItems", expr: "[$.data.map.keys(), $.data.map.values(), $.data.map.items()]", want: []any{[]any{"k1", "k2"}, []any{"v1", "v2"}, []any{[]any{"k1", "v1"}, []any{"k2", "v2"}}}},
		{name: "DictFunctions", expr: "[dict(a => 1), dict([['b', 2]]), [1, 2].toDict($, $ * 10)]", want: []any{map[string]any{"a": 1}, map[string]any{"b": 2}, map[string]any{"1": 10, "2": 20}}},
		{name: "GetSet", expr: "[$.data.map.get('k1'), $.data.map.get('x'), $.data.map.get('x', 0), {a => 1}.set('b', 2), {a => 1}.set({a => 3})]", want: []any{"v1", nil, 0, map[string]any{"a": 1, "b": 2}, map[string]any{"a": 3}}},
		{name: "Contains", expr: "[[1, 2].contains(2), $.data.map.containsKey('k1'), $.data.map.containsValue('v3')]", want: []any{true, true, false}},
		{name: "ListConcat", expr: "[1] + [2] + list(3, range(4, 6))", want: []any{1, 2, 3, 4, 5}},
		{name: "DictMerge", expr: "{a => 1, b => 2} + {b => 3}", want: map[string]any{"a": 1, "b": 3}},
		{name: "Range", expr: "[range(3), range(1, 7, 2)]", want: []any{[]any{0, 1, 2}, []any{1, 3, 5}}},
		{name: "Sequence", expr: "sequence(5).take(3)", want: []any{5, 6, 7}},
		{name: "IsEmpty", expr: "['  '.isEmpty(), 'x'.isEmpty(), isEmpty(null)]", want: []any{true, false, true}},
		{name: "Concat", expr: "[concat('a', 'b'), concat([1], [2]), [1].concat([2], [3])]", want: []any{"ab", []any{1, 2}, []any{1, 2, 3}}},
		{name: "IndexOf", expr: "[[5, 6].indexOf(6), 'cabcdab'.indexOf('ab'), 'cabcdab'.lastIndexOf('ab'), [1].indexOf(9)]", want: []any{1, 1, 5, -1}},
		{name: "Regex", expr: "['abc'.matches('a.c'), regex('A.C', ignoreCase => true).matches('abc'), 'abc' =~ 'b', 'abc' !~ 'x', regex('(\\d+)').search('ab12c34'), regex('\\d+').searchAll('a1b22')]", want: []any{true, true, true, true, "12", []any{"1", "22"}}},
		{name: "RegexReplace", expr: "regex('(a)(b)').replace('xabx', '\\\\2\\\\1')", want: "xbax"},
		{name: "Switch", expr: "[switch($.data.name = web => 1, true => 2), switch(false => 1)]", want: []any{1, nil}},
		{name: "Coalesce", expr: "coalesce(null, $.data.n, 3)", want: 3},
		{name: "LetArrow", expr: "let(x => 2, y => 3) -> $x * $y", want: 6},
		{name: "LetPositional", expr: "let(1, 2) -> $1 + $2", want: 3},
		{name: "ChainedArrow", expr: "$.data.var1 -> $.sum()", err: `No function "#operator_->" matches supplied arguments`},
		{name: "DollarRebound", expr: "let(k => 10) -> $.data.var1.select($ + $k)", want: []any{13, 12, 11}},
		{name: "Aggregate", expr: "[1, 2, 3].aggregate($1 * $2)", want: 6},
		{name: "Reverse", expr: "$.data.var1.reverse()", want: []any{1, 2, 3}},
		{name: "Enumerate", expr: "['a', 'b'].enumerate(1)", want: []any{[]any{1, "a"}, []any{2, "b"}}},
		{name: "Zip", expr: "[1, 2].zip(['a', 'b', 'c'])", want: []any{[]any{1, "a"}, []any{2, "b"}}},
		{name: "MergeWith", expr: "{a => 1, c => [1, 2], d => {e => 1}}.mergeWith({b => 2, c => [2, 3], d => {f => 2}})", want: map[string]any{"a": 1, "b": 2, "c": []any{1, 2, 3}, "d": map[string]any{"e": 1, "f": 2}}},
		{name: "ElvisOperator", expr: "$.data.n?.foo", want: nil},
		{name: "StringRepeat", expr: "'ab' * 2", want: "abab"},
		{name: "ListRepeat", expr: "2 * [1]", want: []any{1, 1}},
		{name: "SwitchCase", expr: "1.switchCase('a', 'b', 'c')", want: "b"},
		{name: "StartsWith", expr: "'abcd'.startsWith('x', 'ab')", want: true},
		{name: "Delete", expr: "[[0, 1, 2, 3].delete(1, 2), {a => 1, b => 2}.delete(a)]", want: []any{[]any{0, 3}, map[string]any{"b": 2}}},
		{name: "TypeChecks", expr: "[isList([]), isDict({}), isString(''), isInteger(1.5)]", want: []any{true, true, true, false}},

		{name: "ErrorEmpty", expr: "", err: "Parse error: unexpected end of statement"},
		{name: "ErrorUnexpected", expr: "1 +", err: "Parse error: unexpected end of statement"},
		{name: "ErrorToken", expr: "(1 + 2))", err: "Parse error: unexpected ')' at position 7 of expression '(1 + 2))'"},
		{name: "ErrorLexical", expr: "1 # 2", err: "Lexical error: illegal character '#' at position 2"},
		{name: "ErrorUnclosedString", expr: "'abc", err: "Lexical error: illegal character ''' at position 0"},
		{name: "ErrorNamedThenPositional", expr: "f(a => 1, 2)", err: "Parse error: unexpected ')' at position 11 of expression 'f(a => 1, 2)'"},
		{name: "ErrorUnknownFunction", expr: "foo(1)", err: `Unknown function "foo"`},
		{name: "ErrorUnknownMethod", expr: "$.data.var1.foo()", err: `Unknown method "foo" for receiver (3, 2, 1)`},
		{name: "ErrorMethodAsFunction", expr: "select($.data.var1, $)", err: `Unknown function "select"`},
		{name: "ErrorTypes", expr: "'a' + 1", err: `No function "#operator_+" matches supplied arguments`},
		{name: "ErrorMethodTypes", expr: "5.select($)", err: `No method "select" for receiver 5 matches supplied arguments`},
		{name: "ErrorMissingKey", expr: "$.data.missing", err: `'missing'`},
		{name: "ErrorIndex", expr: "[1][3]", err: "tuple index out of range"},
		{name: "ErrorDivision", expr: "1 / 0", err: "integer division or modulo by zero"},
		{name: "ErrorFirstOfEmpty", expr: "[].first()", err: "StopIteration: the collection is empty"},
		{name: "ErrorIntLiteral", expr: "int('x')", err: "invalid literal for int() with base 10: 'x'"},
		{name: "ErrorLimitIterators", expr: "range(201).len()", err: "Collection length exceeds 200 elements"},
		{name: "ErrorLimitOutput", expr: "range(300)", err: "Collection length exceeds 200 elements"},
		{name: "ErrorMemory", expr: "'a' * 20000", err: "Expression consumed too much memory"},
		{name: "ErrorSteps", expr: "range(200).select(range(200).select(range(200).select($)))", err: "Expression evaluation exceeded 1048576 steps"},
		{name: "ErrorResultNotValue", expr: "let(a => 1)", err: "the expression returned a Context, which is not a template value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e, err := Parse(tt.expr)
			var got any
			if err == nil {
				got, err = e.Evaluate(data, nil)
			}
			if tt.err != "" {
				require.EqualError(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}
