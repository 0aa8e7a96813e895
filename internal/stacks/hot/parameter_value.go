package hot

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net"
	"sort"
	"strings"

	"github.com/kilnhq/kiln/internal/engine"
	"github.com/kilnhq/kiln/internal/pyfmt"
)

// ParameterError wraps a message as Heat's "Parameter 'x' is invalid: ..."
// with the given code.
func parameterInvalid(code, name, msg string) *engine.Error {
	return invalid(code, "Parameter '%s' is invalid: %s", name, msg)
}

// UnknownParameterError is Heat's UnknownUserParameter for name.
func UnknownParameterError(name string) error {
	return invalid(CodeUnknownParameter, "The Parameter (%s) was not defined in template.", name)
}

// MissingParameterError is Heat's UserParameterMissing for name.
func MissingParameterError(name string) error {
	return invalid(CodeParameterMissing, "The Parameter (%s) was not provided.", name)
}

func (t *Template) resolveParameters(env *Environment, given map[string]any, strict bool) (map[string]any, error) {
	user := map[string]any{}
	var userOrder []string
	add := func(m map[string]any, isGiven, lenient bool) error {
		for _, k := range sortedKeys(m) {
			if isGiven && strings.HasPrefix(k, "OS::") {
				continue
			}
			if _, defined := t.params[k]; !defined {
				if lenient {
					continue
				}
				if strict {
					return UnknownParameterError(k)
				}
			}
			if _, ok := user[k]; !ok {
				userOrder = append(userOrder, k)
			}
			user[k] = m[k]
		}
		return nil
	}
	var defaults map[string]any
	if env != nil {
		if err := add(env.Parameters, false, env.Lenient); err != nil {
			return nil, err
		}
		defaults = env.ParameterDefaults
	}
	if err := add(given, true, false); err != nil {
		return nil, err
	}

	out := map[string]any{}
	for _, k := range []string{PseudoStackID, PseudoProjectID} {
		out[k] = ""
	}
	for k, v := range given {
		if strings.HasPrefix(k, "OS::") {
			out[k] = pyStr(v)
		}
	}
	if s, ok := out[PseudoStackName].(string); ok && s == "" {
		delete(out, PseudoStackName)
	}
	for _, p := range t.Parameters {
		value := user[p.Name]
		var def any
		hasDefault := false
		if d, ok := defaults[p.Name]; ok && d != nil {
			def, hasDefault = d, true
		} else if p.HasDefault {
			def, hasDefault = p.Default, true
		}
		v, err := p.resolve(value, def, hasDefault)
		if err != nil {
			return nil, err
		}
		out[p.Name] = v
	}
	return out, nil
}

// validTypes lists the parameter types each constraint applies to.
func (c *ParamConstraint) validFor(t ParamType) (string, bool) {
	switch {
	case c.Range != nil:
		return "Range", t == ParamNumber
	case c.Modulo != nil:
		return "Modulo", t == ParamNumber
	case c.Length != nil:
		return "Length", t == ParamString || t == ParamCommaDelimitedList || t == ParamJSON
	case c.AllowedValues != nil:
		return "AllowedValues", t != ParamJSON
	case c.AllowedPattern != "":
		return "AllowedPattern", t == ParamString
	case c.CustomConstraint != "":
		return "CustomConstraint", t != ParamJSON
	}
	return "", true
}

// resolve validates one parameter (schema, default, value) as Heat's
// Parameter.validate and returns its typed value.
func (p *Parameter) resolve(user, def any, hasDefault bool) (any, error) {
	for i := range p.Constraints {
		if name, ok := p.Constraints[i].validFor(p.Type); !ok {
			return nil, parameterInvalid(CodeInvalidSchema, p.Name, fmt.Sprintf("%s constraint invalid for %s", name, p.Type))
		}
	}
	if p.HasDefault {
		dv := p.Default
		if p.Type == ParamCommaDelimitedList {
			switch d := p.Default.(type) {
			case []any:
				l := make([]any, len(d))
				for i, e := range d {
					l[i] = pyStr(e)
				}
				dv = l
			case string:
				dv = splitList(d)
			default:
				return nil, parameterInvalid(CodeInvalidSchema, p.Name,
					fmt.Sprintf("Default must be a comma-delimited list string: '%s' object has no attribute 'split'", pyTypeName(d)))
			}
		}
		if err := p.checkConstraints(dv, true); err != nil {
			return nil, parameterInvalid(CodeInvalidSchema, p.Name,
				fmt.Sprintf("Invalid default %s (%s)", pyStr(p.Default), err.Error()))
		}
	}
	raw := user
	if raw == nil {
		if !hasDefault {
			return nil, MissingParameterError(p.Name)
		}
		raw = def
	}
	v, err := p.typed(raw)
	if err != nil {
		return nil, parameterInvalid(CodeStackValidation, p.Name, err.Error())
	}
	check := raw
	switch p.Type {
	case ParamCommaDelimitedList, ParamJSON:
		check = v
	}
	if err := p.checkConstraints(check, false); err != nil {
		return nil, parameterInvalid(CodeStackValidation, p.Name, err.Error())
	}
	return v, nil
}

// typed converts a raw value to the parameter's type; the error text is
// Heat's.
func (p *Parameter) typed(raw any) (any, error) {
	switch p.Type {
	case ParamString:
		return pyStr(raw), nil
	case ParamNumber:
		n, err := strToNum(raw)
		if err != nil {
			return nil, err
		}
		if b, ok := n.(bool); ok {
			if b {
				return 1, nil
			}
			return 0, nil
		}
		return n, nil
	case ParamBoolean:
		return boolFromString(raw)
	case ParamCommaDelimitedList:
		switch x := raw.(type) {
		case []any:
			l := make([]any, len(x))
			for i, e := range x {
				l[i] = pyStr(e)
			}
			return l, nil
		case string:
			return splitList(x), nil
		}
		return nil, fmt.Errorf("Value must be a comma-delimited list string: '%s' object has no attribute 'split'", pyTypeName(raw))
	case ParamJSON:
		s, ok := raw.(string)
		if !ok {
			return deepCopy(raw), nil
		}
		if s == "" {
			return s, nil
		}
		v, err := loadsJSON(s)
		if err != nil {
			return nil, fmt.Errorf("Value must be valid JSON: %s", err.Error())
		}
		return v, nil
	}
	return raw, nil
}

func splitList(s string) []any {
	if s == "" {
		return []any{}
	}
	parts := strings.Split(s, ",")
	out := make([]any, len(parts))
	for i, e := range parts {
		out[i] = e
	}
	return out
}

// boolFromString is oslo's bool_from_string(strict=True).
func boolFromString(v any) (bool, error) {
	if b, ok := v.(bool); ok {
		return b, nil
	}
	s := strings.ToLower(strings.TrimSpace(pyStr(v)))
	switch s {
	case "1", "t", "true", "on", "y", "yes":
		return true, nil
	case "0", "f", "false", "off", "n", "no":
		return false, nil
	}
	return false, fmt.Errorf("Unrecognized value '%s', acceptable values are: '0', '1', 'f', 'false', 'n', 'no', 'off', 'on', 't', 'true', 'y', 'yes'", pyStr(v))
}

// loadsJSON is json.loads with Python's error texts for the common cases.
func loadsJSON(s string) (any, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	err := dec.Decode(&v)
	if err == nil && dec.More() {
		off := int(dec.InputOffset())
		rest := strings.TrimLeft(s[off:], " \t\r\n")
		off = len(s) - len(rest)
		return nil, fmt.Errorf("Extra data: %s", jsonPos(s, off))
	}
	if err != nil {
		off := 0
		var se *json.SyntaxError
		if errors.As(err, &se) {
			off = int(se.Offset) - 1
		} else {
			off = len(s)
		}
		if off < 0 {
			off = 0
		}
		if off > len(s) {
			off = len(s)
		}
		return nil, fmt.Errorf("Expecting value: %s", jsonPos(s, off))
	}
	return fromJSON(v, 0)
}

func jsonPos(s string, off int) string {
	line := strings.Count(s[:off], "\n") + 1
	col := off + 1
	if i := strings.LastIndex(s[:off], "\n"); i >= 0 {
		col = off - i
	}
	return fmt.Sprintf("line %d column %d (char %d)", line, col, len([]rune(s[:off])))
}

func deepCopy(v any) any {
	switch x := v.(type) {
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = deepCopy(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = deepCopy(e)
		}
		return out
	}
	return v
}

// checkConstraints applies the constraints to a value as Heat's
// Schema.validate_constraints; the error is the first failure's message.
func (p *Parameter) checkConstraints(v any, skipCustom bool) error {
	for i := range p.Constraints {
		c := &p.Constraints[i]
		if skipCustom && c.CustomConstraint != "" {
			continue
		}
		ok, msg, err := c.check(v, p.Type)
		if err != nil {
			return err
		}
		if !ok {
			if c.Description != "" {
				return errors.New(c.Description)
			}
			return errors.New(msg)
		}
	}
	return nil
}

func pyNone(v any) string {
	if v == nil {
		return "None"
	}
	return pyStr(v)
}

// check tells whether v satisfies the constraint; msg is Heat's message
// when not. err is a failure to evaluate (Heat's ValueError).
func (c *ParamConstraint) check(v any, typ ParamType) (ok bool, msg string, err error) {
	switch {
	case c.Range != nil:
		n, err := strToNum(v)
		if err != nil {
			return false, "", err
		}
		f, _ := pyfmt.Num(n)
		ok := (c.Range.Min == nil || f >= *c.Range.Min) && (c.Range.Max == nil || f <= *c.Range.Max)
		return ok, fmt.Sprintf("%s is out of range (min: %s, max: %s)", pyStr(v), pyNone(c.Range.min), pyNone(c.Range.max)), nil
	case c.Length != nil:
		n, err := pyLen(v)
		if err != nil {
			return false, "", err
		}
		f := float64(n)
		ok := (c.Length.Min == nil || f >= *c.Length.Min) && (c.Length.Max == nil || f <= *c.Length.Max)
		return ok, fmt.Sprintf("length (%d) is out of range (min: %s, max: %s)", n, pyNone(c.Length.min), pyNone(c.Length.max)), nil
	case c.Modulo != nil:
		n, err := strToNum(v)
		if err != nil {
			return false, "", err
		}
		f, _ := pyfmt.Num(n)
		return pyMod(f, c.Modulo.Step) == c.Modulo.Offset,
			fmt.Sprintf("%s is not a multiple of %s with an offset of %s", pyStr(v), pyStr(c.Modulo.step), pyStr(c.Modulo.offset)), nil
	case c.AllowedValues != nil:
		allowed := make([]string, len(c.AllowedValues))
		for i, a := range c.AllowedValues {
			allowed[i] = pyJSON(a)
		}
		msg := fmt.Sprintf("%s is not an allowed value [%s]", pyJSON(v), strings.Join(allowed, ", "))
		if l, isList := v.([]any); isList {
			for _, e := range l {
				if !pyContains(c.AllowedValues, e) {
					return false, msg, nil
				}
			}
			return true, msg, nil
		}
		conv := func(x any) (any, error) {
			var out any
			var err error
			switch typ {
			case ParamNumber:
				out, err = strToNum(x)
			case ParamString:
				out = pyStr(x)
			case ParamBoolean:
				out, err = boolFromString(x)
			default:
				out = x
			}
			if err != nil {
				return nil, fmt.Errorf("Value \"%s\" is invalid for data type \"%s\".", pyStr(x), typ)
			}
			return out, nil
		}
		want, err := conv(v)
		if err != nil {
			return false, "", err
		}
		for _, a := range c.AllowedValues {
			got, err := conv(a)
			if err != nil {
				return false, "", err
			}
			if pyfmt.Equal(got, want) {
				return true, msg, nil
			}
		}
		return false, msg, nil
	case c.AllowedPattern != "":
		s := pyStr(v)
		re, err := compilePattern(c.AllowedPattern)
		if err != nil {
			return false, "", err
		}
		loc := re.FindStringIndex(s)
		return loc != nil && loc[1] == len(s), fmt.Sprintf("\"%s\" does not match pattern \"%s\"", s, c.AllowedPattern), nil
	case c.CustomConstraint != "":
		return checkCustom(c.CustomConstraint, v)
	}
	return true, "", nil
}

// checkCustom checks the custom constraints that need no other service;
// the others are accepted (Kiln has no service to ask).
func checkCustom(name string, v any) (bool, string, error) {
	s := pyStr(v)
	switch name {
	case "ip_addr":
		return net.ParseIP(s) != nil, fmt.Sprintf("Error validating value '%s': Invalid IP address", s), nil
	case "mac_addr":
		_, err := net.ParseMAC(s)
		ok := err == nil && (len(s) == 17 || len(s) == 12 || len(s) == 14)
		return ok, fmt.Sprintf("Error validating value '%s': Invalid MAC address.", s), nil
	}
	return true, "", nil
}

func pyLen(v any) (int, error) {
	switch x := v.(type) {
	case string:
		return len([]rune(x)), nil
	case []any:
		return len(x), nil
	case map[string]any:
		return len(x), nil
	}
	return 0, fmt.Errorf("object of type '%s' has no len()", pyTypeName(v))
}

// pyMod is Python's % on floats: the result has the divisor's sign.
func pyMod(a, b float64) float64 {
	m := math.Mod(a, b)
	if m != 0 && (m < 0) != (b < 0) {
		m += b
	}
	return m
}

// ParameterText is how Heat shows a parameter value in a stack's
// parameters: hidden ones as "******", lists joined with commas, json
// values dumped, booleans as True/False, others as str().
func (p *Parameter) ParameterText(v any) string {
	if p.Hidden {
		return "******"
	}
	switch p.Type {
	case ParamCommaDelimitedList:
		if l, ok := v.([]any); ok {
			parts := make([]string, len(l))
			for i, e := range l {
				parts[i] = pyStr(e)
			}
			return strings.Join(parts, ",")
		}
	case ParamJSON:
		return pyJSONUnsorted(v)
	}
	return pyStr(v)
}

// pyJSONUnsorted is json.dumps without sort_keys; Go maps have no order,
// so keys are sorted anyway.
func pyJSONUnsorted(v any) string { return pyJSON(v) }

// ParameterTexts formats resolved values (from ResolveParameters) for a
// stack's parameters map, pseudo parameters included.
func (t *Template) ParameterTexts(values map[string]any) map[string]string {
	out := make(map[string]string, len(values))
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if p := t.params[k]; p != nil {
			out[k] = p.ParameterText(values[k])
		} else {
			out[k] = pyStr(values[k])
		}
	}
	return out
}
