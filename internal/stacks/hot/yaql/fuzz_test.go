package yaql

import (
	"testing"
)

func FuzzYaql(f *testing.F) {
	for _, s := range []string{
		"$.data.var1.sum()", "$.data.servers.where($.role = x).select({$.name => $.ip})",
		"let(a => [1, 2]) -> $a.select($ * 2).join(',')", "range(10).groupBy($ mod 3)",
		"regex('(a+)').searchAll('aa b a', $2.value)", "{a => 1}.mergeWith({b => [1]})",
		"switch($ = 1 => 'x', true => 'y')", "'a,b'.split(',').orderByDescending($)",
		"sequence().skip(3).take(2)", "-1.5 * (2 mod 3) / 0.5", "[1, [2, [3]]].flatten().distinct()",
		"$.data.map.items().toDict($[0], $[1])", "str([null, true, 'x'])",
	} {
		f.Add(s)
	}
	data := map[string]any{"data": map[string]any{
		"var1": []any{3, 2, 1}, "map": map[string]any{"a": "b"},
		"servers": []any{map[string]any{"name": "a", "role": "x", "ip": "1"}},
	}}
	f.Fuzz(func(t *testing.T, src string) {
		e, err := Parse(src)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("parse error of type %T: %v", err, err)
			}
			return
		}
		_, err = e.Evaluate(data, &Options{MaxSteps: 20000})
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("evaluation error of type %T: %v", err, err)
			}
		}
	})
}
