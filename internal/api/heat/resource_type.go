package heat

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/kilnhq/kiln/internal/stacks"
)

// resourceTypeList is GET /resource_types: names, or with_description
// {resource_type, description} pairs.
func (h *Handler) resourceTypeList(w http.ResponseWriter, c *call) error {
	p := &stacks.ResourceTypeListParams{}
	p.SupportStatus, _ = c.q.get("support_status")
	p.Name, _ = c.q.get("name")
	p.Version, _ = c.q.get("version")
	if v, ok := c.q.get("with_description"); ok {
		b, err := extractBool("with_description", v)
		if err != nil {
			return err
		}
		p.WithDescription = b
	}
	types, err := h.stacks.ResourceTypes(c.r.Context(), p)
	if err != nil {
		return err
	}
	if p.WithDescription {
		list := make([]resourceTypeWire, len(types))
		for i, t := range types {
			list[i] = resourceTypeWire{ResourceType: t.Name, Description: t.Description}
		}
		writeJSON(w, http.StatusOK, map[string]any{"resource_types": list})
		return nil
	}
	names := make([]string, len(types))
	for i, t := range types {
		names[i] = t.Name
	}
	writeJSON(w, http.StatusOK, map[string]any{"resource_types": names})
	return nil
}

type resourceTypeWire struct {
	ResourceType string `json:"resource_type"`
	Description  string `json:"description"`
}

type resourceSchemaWire struct {
	ResourceType  string         `json:"resource_type"`
	Properties    map[string]any `json:"properties"`
	Attributes    map[string]any `json:"attributes"`
	SupportStatus map[string]any `json:"support_status"`
	Description   *string        `json:"description,omitempty"`
}

// resourceTypeShow is GET /resource_types/{type}: the type's schema.
// Heat's API drops the with_description parameter on the way to the
// engine; Kiln honours it (the description is added only when asked).
func (h *Handler) resourceTypeShow(w http.ResponseWriter, c *call) error {
	withDescription := false
	if v, ok := c.q.get("with_description"); ok {
		b, err := extractBool("with_description", v)
		if err != nil {
			return err
		}
		withDescription = b
	}
	s, err := h.stacks.ResourceTypeSchema(c.r.Context(), c.vars["type_name"])
	if err != nil {
		return err
	}
	out := &resourceSchemaWire{ResourceType: s.Name, Properties: s.Properties, Attributes: s.Attributes,
		SupportStatus: s.SupportStatus}
	if out.ResourceType == "" {
		out.ResourceType = c.vars["type_name"]
	}
	if out.Properties == nil {
		out.Properties = map[string]any{}
	}
	if out.Attributes == nil {
		out.Attributes = map[string]any{}
	}
	if withDescription {
		d := s.Description
		out.Description = &d
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// resourceTypeTemplate is GET /resource_types/{type}/template: a template
// using the type, cfn (the default) or hot.
func (h *Handler) resourceTypeTemplate(w http.ResponseWriter, c *call) error {
	typ := "cfn"
	if v, ok := c.q.get("template_type"); ok {
		typ = strings.ToLower(v)
		if typ != "cfn" && typ != "hot" {
			return badRequest("resource_type.template", fmt.Sprintf(
				`Template type is not supported: Invalid template type "%s", valid types are: cfn, hot.`, v))
		}
	}
	t, err := h.stacks.ResourceTypeTemplate(c.r.Context(), c.vars["type_name"], typ)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, t)
	return nil
}
