package heat

import (
	"encoding/json"
	"fmt"

	"github.com/kilnhq/kiln/internal/engine"
	"github.com/kilnhq/kiln/internal/stacks"
)

// instantiation reads Heat's InstantiationData, the body of stack create,
// update and preview and of template validation
// (heat/api/openstack/v1/stacks.py), into the domain's parameters. It
// checks what Heat's API layer checks, in Heat's order, and leaves the
// rest (name syntax, template size and content, parameters) to the
// domain.
type instantiation struct {
	body *requestBody
	op   string
	// patch is PATCH: the template is optional and the stored one kept.
	patch bool
	// update allows the converge flag.
	update bool
}

// errTemplateURL answers template_url: Kiln does not fetch URLs.
func errTemplateURL(op, url string) error {
	return badRequest(op, fmt.Sprintf(
		"Could not retrieve template: Kiln does not fetch template_url (%s); send the template itself in \"template\"", url))
}

// args are the checks of Heat's prepare_args: timeout_mins, tags and
// converge.
func (d *instantiation) args(p *stacks.CreateParams) error {
	if raw, ok := d.body.fields["timeout_mins"]; ok {
		n, err := extractIntJSON("timeout_mins", raw, true, false)
		if err != nil {
			return err
		}
		if n != nil && *n > 0 { // Heat's engine takes 0 as "no timeout given"
			p.TimeoutMins = n
		}
	}
	if !d.body.isNull("tags") {
		raw := d.body.fields["tags"]
		var s string
		if json.Unmarshal(raw, &s) != nil {
			// Heat calls .split(",") on the value.
			return invalidAs(d.op, "AttributeError", fmt.Sprintf("'%s' object has no attribute 'split'", jsonKind(raw)))
		}
		tags, err := splitTags(s)
		if err != nil {
			return err
		}
		p.Tags = tags
	}
	if !d.update && d.body.has("converge") {
		return badRequest(d.op, "converge flag only supported in stack update (or update preview) request.")
	}
	return nil
}

// name is InstantiationData.stack_name: present, else 400. Its syntax is
// the domain's to check.
func (d *instantiation) name(p *stacks.CreateParams) error {
	raw, ok := d.body.fields["stack_name"]
	if !ok {
		return badRequest(d.op, "No stack name specified")
	}
	var v any
	if err := decodeJSON(raw, &v); err != nil {
		return err
	}
	if v != nil {
		p.Name = pyStr(v)
	}
	return nil
}

// template is InstantiationData.template: a JSON object or a JSON/YAML
// string under "template"; template_url is refused; none leaves Template
// nil (for PATCH: keep the stored template).
func (d *instantiation) template() ([]byte, error) {
	if d.body.has("adopt_stack_data") {
		return nil, invalidAs(d.op, "NotSupported", "Stack Adopt is not supported.")
	}
	if raw, ok := d.body.fields["template"]; ok {
		return document(d.op, raw)
	}
	if raw, ok := d.body.fields["template_url"]; ok {
		var url any
		_ = decodeJSON(raw, &url)
		return nil, errTemplateURL(d.op, pyStr(url))
	}
	return nil, nil
}

// requiredTemplate is template for everything but PATCH: none is Heat's
// "No template specified".
func (d *instantiation) requiredTemplate() ([]byte, error) {
	t, err := d.template()
	if err == nil && t == nil && !d.patch {
		err = badRequest(d.op, "No template specified")
	}
	return t, err
}

// document reads a template or environment given as an object (its JSON
// text, kept as written so that section order survives) or as a string
// (its text). Null is no document; other JSON types are a malformed
// request, as Heat's parser raises TypeError on them.
func document(op string, raw json.RawMessage) ([]byte, error) {
	switch jsonKind(raw) {
	case "dict":
		return []byte(raw), nil
	case "str":
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, errMalformed(op)
		}
		return []byte(s), nil
	case "NoneType":
		return nil, nil
	}
	return nil, errMalformed(op)
}

// environment is InstantiationData.environment plus files and
// environment_files: the environment document is ignored when
// environment files are given (the domain merges those from files).
func (d *instantiation) environment(p *stacks.CreateParams) error {
	if raw, ok := d.body.fields["environment_files"]; ok && jsonKind(raw) != "NoneType" {
		if err := json.Unmarshal(raw, &p.EnvironmentFiles); err != nil {
			return errMalformed(d.op)
		}
	}
	if raw, ok := d.body.fields["environment"]; ok && len(p.EnvironmentFiles) == 0 {
		doc, err := document(d.op, raw)
		if err != nil {
			return err
		}
		p.Environment = doc
	}
	if raw, ok := d.body.fields["parameters"]; ok {
		if jsonKind(raw) != "dict" {
			return errMalformed(d.op)
		}
		if err := json.Unmarshal(raw, &p.Parameters); err != nil {
			return errMalformed(d.op)
		}
	}
	if raw, ok := d.body.fields["files"]; ok && jsonKind(raw) != "NoneType" {
		if jsonKind(raw) != "dict" {
			return errMalformed(d.op)
		}
		if err := json.Unmarshal(raw, &p.Files); err != nil {
			return errMalformed(d.op)
		}
	}
	return nil
}

// engineArgs are the arguments Heat's engine reads (api.extract_args):
// disable_rollback.
func (d *instantiation) engineArgs(p *stacks.CreateParams) error {
	if raw, ok := d.body.fields["disable_rollback"]; ok {
		b, err := extractBoolJSON("disable_rollback", raw)
		if err != nil {
			return invalidAs(d.op, "ValueError", engine.MessageOf(err))
		}
		p.DisableRollback = &b
	}
	return nil
}

// createParams reads a create or preview body.
func (d *instantiation) createParams(c *call) (*stacks.CreateParams, error) {
	if !d.body.present() {
		return nil, errMalformed(d.op)
	}
	p := &stacks.CreateParams{Caller: c.caller()}
	if err := d.args(p); err != nil {
		return nil, err
	}
	if err := d.name(p); err != nil {
		return nil, err
	}
	tmpl, err := d.requiredTemplate()
	if err != nil {
		return nil, err
	}
	p.Template = tmpl
	if err := d.environment(p); err != nil {
		return nil, err
	}
	if err := d.engineArgs(p); err != nil {
		return nil, err
	}
	return p, nil
}

// updateParams reads a PUT or PATCH body.
func (d *instantiation) updateParams(c *call) (*stacks.UpdateParams, error) {
	if !d.body.present() {
		return nil, errMalformed(d.op)
	}
	p := &stacks.UpdateParams{Existing: d.patch, Ref: c.ref()}
	p.Caller = c.caller()
	p.Name = c.vars["stack_name"]
	if err := d.args(&p.CreateParams); err != nil {
		return nil, err
	}
	tmpl, err := d.requiredTemplate()
	if err != nil {
		return nil, err
	}
	p.Template = tmpl
	if err := d.environment(&p.CreateParams); err != nil {
		return nil, err
	}
	if err := d.engineArgs(&p.CreateParams); err != nil {
		return nil, err
	}
	if raw, ok := d.body.fields["clear_parameters"]; ok && jsonKind(raw) != "NoneType" {
		if err := json.Unmarshal(raw, &p.ClearParameters); err != nil {
			return nil, errMalformed(d.op)
		}
	}
	return p, nil
}
