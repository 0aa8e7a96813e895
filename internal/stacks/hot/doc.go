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
//	t, err := hot.Parse(doc)                             // format, version, sections, definitions
//	env := hot.Merge(envs...)                            // or hot.ParseEnvironment(body)
//	params, err := t.ResolveParameters(env, given, true) // typed values, constraints
//	conds, err := t.EvaluateConditions(params)           // named conditions, enabled resources/outputs
//	err = t.Validate(conds, opts)                        // functions, references, cycles, outputs
//	g, err := t.Dependencies(conds)                      // levels for create and delete
//	props, err := t.ResolveProperties(ctx, "name")       // while creating, per resource
//	out, err := t.ResolveOutput(ctx, "name")
//
// Parse covers what Heat checks when it builds a template and a stack
// (version, sections, parameter schemas, parameter groups, conditions,
// resource and output definitions, every function's arguments); Validate
// covers what Heat's stack validation adds once parameter values are
// known. Both report the first error in Heat's order.
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
// InvalidTemplateVersion, InvalidTemplateReference, InvalidSchemaError,
// UserParameterMissing, UnknownUserParameter, CircularDependencyException,
// HTTPBadRequest for format errors, ...) and whose Msg is the text Heat's
// API returns as error.message. The one exception is Functions for an
// unknown version, which is KindNotFound as Heat's 404.
//
// Heat's errors that carry a template path (StackValidationFailed with a
// path, such as "resources.a.properties.x.str_replace: ...") cross Heat's
// RPC boundary, where the exception is rebuilt from its formatted parts;
// clients therefore see ": : " after the path and after an error prefix
// ("Property error: : resources.a.properties.x: : msg"). Msg reproduces
// that text; the Err of such errors is an *EvalError with the bare path and
// message. As in Heat's create path, an unknown top-level section is
// StackValidationFailed ("The template section is invalid: x").
//
// Functions follow Heat's per-version tables: a single-key map whose key
// is not a function of the version is plain data (str_replace_strict in a
// 2016-10-14 template is just a map), except the CFN functions Heat
// removed (Ref, Fn::Join, Fn::Select, ...), which fail validation with
// "The template version is invalid: The function Ref is not supported in
// this version of HOT.". Messages embedding values use Python's str(),
// repr() and json.dumps() forms; map keys come out sorted where Python
// would keep insertion order.
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
// yaql (2016-10-14 and later) is evaluated by package hot/yaql, a
// hand-written YAQL 1.x evaluator: Validate parses a literal expression
// ("Bad expression Parse error: ..." as Heat), evaluation binds $ to
// {"data": <resolved data>} under Heat's default [yaql] limits
// (limit_iterators 200, memory_quota 10000). It covers yaql's grammar and
// operators and the commonly used standard library; sets, thenBy, date
// and time functions, def/lambda delegates and a few rarely used
// functions are not implemented (they fail as unknown functions), regular
// expressions are RE2, and maps are seen with sorted keys. Package
// hot/yaql lists the details.
//
// The CFN template formats (AWSTemplateFormatVersion,
// HeatTemplateFormatVersion) are rejected as invalid versions; the CFN
// functions of 2013-05-23 are supported (Fn::GetAZs answers ["nova"]).
// resource_facade needs a Context that implements FacadeContext (nested
// stacks). custom_constraint is recorded; ip_addr and mac_addr are
// checked, every other name is accepted (the others need services Kiln
// does not have, and Kiln does not reject unknown names as Heat does).
// parameter_merge_strategies are kept but merging always overwrites.
// allowed_pattern uses Go's RE2, so Python-only syntax (look-around,
// back references) is rejected as an invalid schema. YAML is read with
// PyYAML's YAML 1.1 rules for plain scalars (yes/no/on/off are booleans,
// 0755 is octal, 1e3 is a string), but parse error texts are yaml.v3's,
// not PyYAML's.
//
// All functions are safe for concurrent use; a Template is immutable after
// Parse.
package hot
