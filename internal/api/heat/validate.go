package heat

import (
	"bytes"
	"net/http"
	"strings"

	"github.com/kilnhq/kiln/internal/stacks"
)

// validateResponse is POST /validate's answer, in Heat's CFN-style keys.
// ParameterGroups is present only when the template defines groups
// (gophercloud declares it as a map and would fail on an empty list).
type validateResponse struct {
	Description      string           `json:"Description"`
	Parameters       parameterMap     `json:"Parameters"`
	ParameterGroups  []map[string]any `json:"ParameterGroups,omitempty"`
	NestedParameters map[string]any   `json:"NestedParameters,omitempty"`
	Environment      map[string]any   `json:"Environment"`
}

// parameterMap keeps the template's parameter order on the wire.
type parameterMap []stacks.ParameterInfo

func (m parameterMap) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i := range m {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := marshalJSON(m[i].Name)
		if err != nil {
			return nil, err
		}
		v, err := marshalJSON(parameterWireOf(&m[i]))
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// parameterWire is heat.engine.api.format_validate_parameter.
type parameterWire struct {
	Type                  string   `json:"Type"`
	Description           string   `json:"Description"`
	NoEcho                string   `json:"NoEcho"`
	Label                 string   `json:"Label"`
	Default               any      `json:"Default,omitempty"`
	Value                 any      `json:"Value,omitempty"`
	Tags                  []string `json:"Tags,omitempty"`
	MinLength             *int     `json:"MinLength,omitempty"`
	MaxLength             *int     `json:"MaxLength,omitempty"`
	MinValue              *float64 `json:"MinValue,omitempty"`
	MaxValue              *float64 `json:"MaxValue,omitempty"`
	AllowedValues         []any    `json:"AllowedValues,omitempty"`
	AllowedPattern        string   `json:"AllowedPattern,omitempty"`
	CustomConstraint      string   `json:"CustomConstraint,omitempty"`
	ConstraintDescription string   `json:"ConstraintDescription,omitempty"`
}

func parameterWireOf(p *stacks.ParameterInfo) *parameterWire {
	out := &parameterWire{
		Type: p.Type, Description: p.Description, NoEcho: "false", Label: p.Label, Default: p.Default, Value: p.Value,
		Tags: p.Tags, MinLength: p.MinLength, MaxLength: p.MaxLength, MinValue: p.MinValue, MaxValue: p.MaxValue,
		AllowedValues: p.AllowedValues, AllowedPattern: p.AllowedPattern, CustomConstraint: p.CustomConstraint,
		ConstraintDescription: p.ConstraintDescription,
	}
	if p.NoEcho {
		out.NoEcho = "true"
	}
	if out.Label == "" {
		out.Label = p.Name // Heat: the label, or the parameter's name
	}
	return out
}

// validate is POST /validate: the template, environment and files of an
// InstantiationData body; ?show_nested and ?ignore_errors=code,code.
func (h *Handler) validate(w http.ResponseWriter, c *call) error {
	const op = "template.validate"
	if !c.body.present() {
		return errMalformed(op)
	}
	p := &stacks.ValidateParams{Caller: c.caller()}
	if v, ok := c.q.single("show_nested"); ok {
		b, err := extractBool("show_nested", v)
		if err != nil {
			return err
		}
		p.ShowNested = b
	}
	if v, ok := c.q.single("ignore_errors"); ok {
		p.IgnoreErrors = strings.Split(v, ",")
	}
	d := &instantiation{body: c.body, op: op}
	tmpl, err := d.requiredTemplate()
	if err != nil {
		return err
	}
	p.Template = tmpl
	var cp stacks.CreateParams
	if err := d.environment(&cp); err != nil {
		return err
	}
	p.Environment, p.EnvironmentFiles, p.Files, p.Parameters = cp.Environment, cp.EnvironmentFiles, cp.Files, cp.Parameters
	res, err := h.stacks.Validate(c.r.Context(), p)
	if err != nil {
		return err
	}
	out := &validateResponse{Description: res.Description, Parameters: res.Parameters, ParameterGroups: res.ParameterGroups,
		NestedParameters: res.NestedParams, Environment: res.Environment}
	if out.Parameters == nil {
		out.Parameters = parameterMap{}
	}
	if out.Environment == nil {
		out.Environment = map[string]any{}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
