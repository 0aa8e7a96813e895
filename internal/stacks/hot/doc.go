// Package hot reads and evaluates Heat Orchestration Templates (HOT) the
// way OpenStack Heat does: it parses a template and its environments,
// resolves parameters against their schemas, evaluates intrinsic functions
// and conditions, and computes the resource dependency graph. It is pure:
// no HTTP, no store, no clock; the stacks domain (package stacks) supplies
// everything that depends on a running stack through the Context
// interface.
//
// # Model
//
// A Template is the parsed document: a Version (a date such as 2016-10-14,
// also reachable by its alias such as newton), a description, parameter
// groups, Parameters, Resources, Outputs and named conditions, each kept in
// template order because Heat lists and validates them in that order.
// Values inside resources and outputs are kept as plain Go values (maps,
// lists, strings, numbers, bools, nil); a single-key map whose key is a
// function of the template's version is a function call. Parse checks all
// calls statically (known to the version, well-formed arguments), so
// evaluation later fails only on run-time data.
//
// The life of a template in the stacks domain is:
//
//	t, err := hot.Parse(doc)                       // format, version, sections, definitions
//	params, err := t.ResolveParameters(env, given, true) // typed values, constraints
//	conds, err := t.EvaluateConditions(params)     // named conditions, enabled resources/outputs
//	g, err := t.Dependencies(conds)                // references, cycles, levels
//	props, err := t.ResolveProperties(ctx, "name") // while creating, per resource
//	out, err := t.ResolveOutput(ctx, "name")
//
// Parameter values are typed: string → string, number → int or float64,
// comma_delimited_list → []any of strings, json → map[string]any or []any,
// boolean → bool. Function results use the same representation: integers
// are int, other numbers float64, lists []any and maps map[string]any.
//
// An Environment carries parameters, parameter_defaults and the resource
// registry; several are merged in order (the environment body, then each
// environment file), later ones winning, as python-heatclient sends them.
//
// # Errors
//
// Every error is an *engine.Error of KindInvalid whose Code is the name of
// the exception Heat raises in the same case (StackValidationFailed,
// InvalidTemplateVersion, InvalidTemplateSection, InvalidTemplateReference,
// UserParameterMissing, UnknownUserParameter, CircularDependencyException,
// ...) and whose Msg is Heat's message text, including the template path
// Heat puts in front (for example "resources.a.properties.value: ...").
// The one exception is Functions for an unknown version, which is
// KindNotFound as Heat's 404.
//
// # Limits
//
// Inputs are untrusted. Nesting deeper than MaxDepth, YAML alias expansion
// past MaxNodes, and functions whose results would pass MaxResultSize
// (repeat, str_split, list_join, str_replace, ...) fail with a
// StackValidationFailed error instead of exhausting memory or the stack.
// Template size is checked by the caller against MaxTemplateSize, with
// TemplateSizeError.
//
// # Not supported
//
// yaql is recognised for the versions that have it but rejected when
// evaluated: there is no maintained YAQL evaluator in Go. The CFN template
// formats (AWSTemplateFormatVersion, HeatTemplateFormatVersion) are
// rejected as invalid versions. resource_facade evaluates to an error
// outside nested stacks. custom_constraint is recorded but only checked
// for the constraints that need no other service.
//
// All functions are safe for concurrent use; a Template is immutable after
// Parse.
package hot
