package keystone

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/kilnhq/kiln/internal/engine"
	"github.com/kilnhq/kiln/internal/pyfmt"
)

// Request validation for POST /v3/auth/tokens, in Keystone's order and with
// its messages: the JSON schema of keystone/auth/schema.py (first error
// wins, reported as "Invalid input for field '<path>': <jsonschema
// message>"), then its "id or name must be present" checks. Values in
// messages are printed as Python's repr would print them.

// schema is the subset of JSON Schema Keystone's token request uses.
// Keywords are checked in the order type, properties, required, items, as
// jsonschema iterates Keystone's schema dicts.
type schema struct {
	Types    []string
	Props    []schemaProp
	Required []string
	Items    *schema
}

type schemaProp struct {
	Name   string
	Schema *schema
}

var (
	stringSchema    = &schema{Types: []string{"string"}}
	booleanSchema   = &schema{Types: []string{"boolean"}}
	domainRefSchema = &schema{Types: []string{"object"}, Props: []schemaProp{
		{"id", stringSchema}, {"name", stringSchema},
	}}

	// tokenIssueSchema is keystone.auth.schema.token_issue.
	tokenIssueSchema = &schema{
		Types: []string{"object"},
		Props: []schemaProp{
			{"identity", &schema{
				Types: []string{"object"},
				Props: []schemaProp{
					{"methods", &schema{Types: []string{"array"}, Items: stringSchema}},
					{"password", &schema{Types: []string{"object"}, Props: []schemaProp{
						{"user", &schema{Types: []string{"object"}, Props: []schemaProp{
							{"id", stringSchema}, {"name", stringSchema},
							{"password", stringSchema}, {"domain", domainRefSchema},
						}}},
					}}},
					{"token", &schema{Types: []string{"object"},
						Props: []schemaProp{{"id", stringSchema}}, Required: []string{"id"}}},
				},
				Required: []string{"methods"},
			}},
			{"scope", &schema{
				Types: []string{"object", "string"},
				Props: []schemaProp{
					{"project", &schema{Types: []string{"object"}, Props: []schemaProp{
						{"name", stringSchema}, {"id", stringSchema}, {"domain", domainRefSchema},
					}}},
					{"domain", domainRefSchema},
					{"OS-TRUST:trust", &schema{Types: []string{"object"}, Props: []schemaProp{{"id", stringSchema}}}},
					{"system", &schema{Types: []string{"object"}, Props: []schemaProp{{"all", booleanSchema}}}},
				},
			}},
		},
		Required: []string{"identity"},
	}
)

// validateSchema returns the first violation of s by v as Keystone words
// it, or "".
func validateSchema(v any, s *schema, path []string) string {
	if len(s.Types) > 0 && !slices.ContainsFunc(s.Types, func(t string) bool { return isJSONType(v, t) }) {
		quoted := make([]string, len(s.Types))
		for i, t := range s.Types {
			quoted[i] = pyRepr(t)
		}
		return fieldMessage(path, fmt.Sprintf("%s is not of type %s", pyRepr(v), strings.Join(quoted, ", ")))
	}
	if obj, ok := v.(map[string]any); ok {
		for _, p := range s.Props {
			if child, ok := obj[p.Name]; ok {
				if msg := validateSchema(child, p.Schema, append(slices.Clip(path), p.Name)); msg != "" {
					return msg
				}
			}
		}
		for _, name := range s.Required {
			if _, ok := obj[name]; !ok {
				return fieldMessage(path, pyRepr(name)+" is a required property")
			}
		}
	}
	if arr, ok := v.([]any); ok && s.Items != nil {
		for i, item := range arr {
			if msg := validateSchema(item, s.Items, append(slices.Clip(path), strconv.Itoa(i))); msg != "" {
				return msg
			}
		}
	}
	return ""
}

func fieldMessage(path []string, msg string) string {
	if len(path) == 0 {
		return msg
	}
	return fmt.Sprintf("Invalid input for field '%s': %s", strings.Join(path, "/"), msg)
}

func isJSONType(v any, t string) bool {
	switch t {
	case "object":
		_, ok := v.(map[string]any)
		return ok
	case "array":
		_, ok := v.([]any)
		return ok
	case "string":
		_, ok := v.(string)
		return ok
	case "boolean":
		_, ok := v.(bool)
		return ok
	}
	return false
}

// checkIDOrName is keystone.auth.schema.validate_issue_token_auth after the
// schema: every user, project and domain reference names an id or a name.
func checkIDOrName(auth map[string]any) string {
	type ref struct {
		obj  map[string]any
		path string
	}
	user := object(object(object(auth, "identity"), "password"), "user")
	scope := object(auth, "scope") // nil when absent or a string
	project := object(scope, "project")
	for _, r := range []ref{
		{user, "identity/password/user"},
		{object(user, "domain"), "identity/password/user/domain"},
		{project, "scope/project"},
		{object(project, "domain"), "scope/project/domain"},
		{object(scope, "domain"), "scope/domain"},
	} {
		if r.obj == nil {
			continue
		}
		_, hasID := r.obj["id"]
		_, hasName := r.obj["name"]
		if !hasID && !hasName {
			return fmt.Sprintf("Invalid input for field %s: id or name must be present.", r.path)
		}
	}
	return ""
}

// expecting is Keystone's ValidationError message.
func expecting(attribute, target string) error {
	return engine.Invalid("keystone.auth", "Expecting to find %s in %s. The server could not comply with "+
		"the request since it is either malformed or otherwise incorrect. The client is assumed to be in error.",
		attribute, target)
}

// object returns m[key] when it is a JSON object, else nil; m may be nil.
func object(m map[string]any, key string) map[string]any {
	v, _ := m[key].(map[string]any)
	return v
}

// str returns m[key] when it is a string, else "".
func str(m map[string]any, key string) string {
	v, _ := m[key].(string)
	return v
}

// pyRepr prints a decoded JSON value as Python's repr prints the value
// json.loads makes of it (object keys sorted: Go maps keep no order).
func pyRepr(v any) string { return pyfmt.ReprVerbatim(v) }
