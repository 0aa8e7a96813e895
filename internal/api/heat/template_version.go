package heat

import (
	"net/http"
)

type templateVersionWire struct {
	Version string   `json:"version"`
	Type    string   `json:"type"`
	Aliases []string `json:"aliases"`
}

type templateFunctionWire struct {
	Functions   string `json:"functions"`
	Description string `json:"description"`
}

// templateVersionList is GET /template_versions.
func (h *Handler) templateVersionList(w http.ResponseWriter, c *call) error {
	versions, err := h.stacks.TemplateVersions(c.r.Context())
	if err != nil {
		return err
	}
	out := make([]templateVersionWire, len(versions))
	for i, v := range versions {
		out[i] = templateVersionWire{Version: v.Version, Type: v.Type, Aliases: v.Aliases}
		if out[i].Aliases == nil {
			out[i].Aliases = []string{}
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"template_versions": out})
	return nil
}

// templateFunctionList is GET /template_versions/{version}/functions;
// with_condition_func adds the condition functions.
func (h *Handler) templateFunctionList(w http.ResponseWriter, c *call) error {
	withConditions := false
	if v, ok := c.q.get("with_condition_func"); ok {
		b, err := extractBool("with_condition_func", v)
		if err != nil {
			return err
		}
		withConditions = b
	}
	fns, err := h.stacks.TemplateFunctions(c.r.Context(), c.vars["template_version"], withConditions)
	if err != nil {
		return err
	}
	out := make([]templateFunctionWire, len(fns))
	for i, f := range fns {
		out[i] = templateFunctionWire{Functions: f.Name, Description: f.Description}
	}
	writeJSON(w, http.StatusOK, map[string]any{"template_functions": out})
	return nil
}
