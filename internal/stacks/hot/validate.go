package hot

import (
	"errors"
	"fmt"
	"sort"
	"strconv"

	"github.com/kilnhq/kiln/internal/engine"
	"github.com/kilnhq/kiln/internal/stacks/hot/yaql"
)

// ValidateOptions carries what Validate needs of the resource types.
type ValidateOptions struct {
	// AttributeExists tells whether a resource has an attribute (its
	// type's schema, or a nested template's outputs); nil skips Heat's
	// InvalidTemplateAttribute check.
	AttributeExists func(resource, attribute string) bool
	// ResourceFunc, when set, is called for each enabled resource in
	// dependency order right after its functions are validated, so the
	// caller can validate properties in Heat's order; its error is
	// returned as is.
	ResourceFunc func(name string) error
}

// Validate checks what Heat's stack validation checks of a template once
// parameters and conditions are known: functions in the chosen branches,
// deletion policies given by functions, references and cycles
// (Dependencies), each function's arguments (removed functions, yaql,
// repeat, make_url, get_attr attributes), and outputs. conds comes from
// EvaluateConditions; nil treats every resource as enabled.
func (t *Template) Validate(conds *Conditions, opts *ValidateOptions) error {
	if opts == nil {
		opts = &ValidateOptions{}
	}
	v := t.newValidator(conds)
	v.attrExists = opts.AttributeExists
	for _, r := range t.Resources {
		for _, x := range []any{r.props, r.metadata, r.delPolicy, r.updPolicy, r.externalID} {
			if err := v.compileErr(x); err != nil {
				return err
			}
		}
		if r.delPolicy != nil && conds != nil {
			if _, err := t.deletionPolicyOf(r, conds.ctx); err != nil {
				return err
			}
		}
	}
	for _, o := range t.Outputs {
		if !conds.OutputEnabled(o.Name) {
			continue
		}
		if o.valueErr != nil {
			return o.valueErr
		}
		if err := v.compileErr(o.value); err != nil {
			return err
		}
	}
	g, err := t.Dependencies(conds)
	if err != nil {
		return err
	}
	for _, level := range g.Levels() {
		for _, name := range level {
			r := t.resources[name]
			sections := []struct {
				key string
				val any
			}{
				{resProperties, r.props}, {resMetadata, r.metadata}, {resDeletionPolicy, r.delPolicy},
				{resUpdatePolicy, r.updPolicy}, {resExternalID, r.externalID},
			}
			for _, s := range sections {
				if e := v.value(s.val, nil); e != nil {
					return e.engineError(CodeStackValidation, []string{sectionResources, name, s.key})
				}
			}
			if opts.ResourceFunc != nil {
				if err := opts.ResourceFunc(name); err != nil {
					return err
				}
			}
		}
	}
	for _, o := range t.Outputs {
		if !conds.OutputEnabled(o.Name) {
			continue
		}
		if e := v.value(o.value, nil); e != nil {
			return e.engineError(CodeStackValidation, []string{sectionOutputs, o.Name, "value"})
		}
	}
	return nil
}

// vErr is a validation failure at a relative path.
type vErr struct {
	msg  string
	path []string
}

// String is StackValidationFailed's text in-process ("a.b: msg").
func (e *vErr) String() string {
	if p := joinPath(e.path); p != "" {
		return p + ": " + e.msg
	}
	return e.msg
}

func (e *vErr) engineError(code string, prefix []string) *engine.Error {
	return pathError(code, "", append(append([]string(nil), prefix...), e.path...), e.msg)
}

type validator struct {
	attrExists func(resource, attribute string) bool
	conds      *Conditions
	t          *Template
}

func (t *Template) newValidator(conds *Conditions) *validator {
	return &validator{t: t, conds: conds}
}

// chosen returns the branches of an "if" that Heat would parse: the one
// its condition selects when conditions are known, else both.
func (v *validator) chosen(c *call) []int {
	if v.conds == nil {
		if c.hasFalse {
			return []int{0, 1}
		}
		return []int{0}
	}
	ev := v.t.newEvaluator(v.conds.ctx)
	cd, err := ev.arg(c.cond)
	if err != nil {
		return nil
	}
	on, err := ev.condition(cd)
	if err != nil {
		return nil
	}
	if on {
		return []int{0}
	}
	if c.hasFalse {
		return []int{1}
	}
	return nil
}

// compileErr returns the first compile error of a chosen "if" branch.
func (v *validator) compileErr(x any) error {
	switch c := x.(type) {
	case *call:
		if c.kind == fnIf || c.kind == fnIfNullable {
			for _, i := range v.chosen(c) {
				if c.branchErr[i] != nil {
					return c.branchErr[i]
				}
				if err := v.compileErr(c.branches[i]); err != nil {
					return err
				}
			}
			return nil
		}
		return v.compileErr(c.args)
	case map[string]any:
		for _, k := range sortedKeys(c) {
			if err := v.compileErr(c[k]); err != nil {
				return err
			}
		}
	case []any:
		for _, e := range c {
			if err := v.compileErr(e); err != nil {
				return err
			}
		}
	}
	return nil
}

// value is Heat's function.validate over a parsed snippet.
func (v *validator) value(x any, path []string) *vErr {
	switch c := x.(type) {
	case *call:
		if err := v.call(c); err != nil {
			return &vErr{path: append(append([]string(nil), path...), c.name), msg: err.Error()}
		}
	case map[string]any:
		for _, k := range sortedKeys(c) {
			if e := v.value(c[k], append(append([]string(nil), path...), k)); e != nil {
				return e
			}
		}
	case []any:
		base := append([]string(nil), path...)
		parent := ""
		if len(base) > 0 {
			parent = base[len(base)-1]
			base = base[:len(base)-1]
		}
		for i, e := range c {
			if err := v.value(e, append(append([]string(nil), base...), parent+"["+strconv.Itoa(i)+"]")); err != nil {
				return err
			}
		}
	}
	return nil
}

// static evaluates a value that needs only parameters (a resource name
// given by get_param); ok is false when it cannot be known.
func (v *validator) static(x any) (any, bool) {
	if _, isCall := x.(*call); !isCall {
		return x, true
	}
	if v.conds == nil {
		return nil, false
	}
	r, err := v.t.newEvaluator(v.conds.ctx).arg(x)
	if err != nil {
		return nil, false
	}
	return r, true
}

func (v *validator) args(c *call) error {
	if e := v.value(c.args, nil); e != nil {
		return errors.New(e.String())
	}
	return nil
}

// call is one function's validate().
func (v *validator) call(c *call) error {
	n := c.name
	switch c.kind {
	case fnIf, fnIfNullable:
		for _, i := range v.chosen(c) {
			if e := v.value(c.branches[i], nil); e != nil {
				return errors.New(e.String())
			}
		}
		return nil
	}
	if err := v.args(c); err != nil {
		return err
	}
	switch c.kind {
	case fnRemoved:
		return fmt.Errorf("The template version is invalid: The function %s is not supported in this version of HOT.", n)
	case fnGetAttThenSelect, fnGetAtt, fnGetAttAll:
		var resArg, attrArg any
		hasAttr := false
		switch a := c.args.(type) {
		case []any:
			resArg = a[0]
			if len(a) > 1 {
				attrArg, hasAttr = a[1], true
			}
		case string:
			resArg = a
		}
		rv, ok := v.static(resArg)
		if !ok {
			return nil
		}
		name, isStr := rv.(string)
		if !isStr || !v.enabled(name) {
			return fmt.Errorf("The specified reference \"%s\" (in unknown) is incorrect.", pyStr(rv))
		}
		if !hasAttr || v.attrExists == nil {
			return nil
		}
		av, ok := v.static(attrArg)
		if !ok {
			return nil
		}
		attr, isStr := av.(string)
		if !isStr || !v.attrExists(name, attr) {
			return fmt.Errorf("The Referenced Attribute (%s %s) is incorrect.", pyStr(rv), pyStr(av))
		}
	case fnRepeat, fnRepeatWithMap, fnRepeatNested:
		fe := c.args.(map[string]any)["for_each"]
		switch fe.(type) {
		case map[string]any, *call:
		default:
			return fmt.Errorf("The \"for_each\" argument to \"%s\" must contain a map", n)
		}
	case fnMakeURL:
		m, ok := c.args.(map[string]any)
		if !ok {
			return fmt.Errorf("The arguments to \"%s\" must be a map", n)
		}
		var bad []string
		for k := range m {
			if !contains(makeURLKeys, k) {
				bad = append(bad, k)
			}
		}
		if len(bad) > 0 {
			sort.Strings(bad)
			return fmt.Errorf("Invalid arguments to \"%s\": %s", n, joinComma(bad))
		}
		return checkURLArgs(n, m)
	case fnYaql:
		expr := c.args.(map[string]any)["expression"]
		if _, isCall := expr.(*call); !isCall {
			if _, isStr := expr.(string); !isStr {
				return fmt.Errorf("The \"expression\" argument to %s must contain a string.", n)
			}
		}
		if s, isStr := expr.(string); isStr {
			if _, err := yaql.Parse(s); err != nil {
				return fmt.Errorf("Bad expression %s.", err)
			}
		}
	}
	return nil
}

func joinComma(s []string) string {
	out := ""
	for i, e := range s {
		if i > 0 {
			out += ", "
		}
		out += e
	}
	return out
}

func (v *validator) enabled(name string) bool {
	if _, ok := v.t.resources[name]; !ok {
		return false
	}
	return v.conds.ResourceEnabled(name)
}
