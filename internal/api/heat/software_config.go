package heat

import (
	"bytes"
	"encoding/json"
	"net/http"

	"github.com/kilnhq/kiln/internal/identity"
	"github.com/kilnhq/kiln/internal/stacks"
)

// softwareConfigWire is heat.engine.api.format_software_config; the list
// leaves out config, inputs, outputs and options and adds project for an
// admin. The detail fields are interfaces so that a detail shows each of
// them even when empty or null (config is the JSON value stored: text, a
// structured config's map, or null).
type softwareConfigWire struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	Group        string `json:"group"`
	Config       any    `json:"config,omitempty"`
	Inputs       any    `json:"inputs,omitempty"`
	Outputs      any    `json:"outputs,omitempty"`
	Options      any    `json:"options,omitempty"`
	CreationTime string `json:"creation_time"`
	Project      string `json:"project,omitempty"`
}

func softwareConfigOut(c *stacks.SoftwareConfig, detail bool) *softwareConfigWire {
	out := &softwareConfigWire{ID: c.ID, Name: c.Name, Group: c.Group, CreationTime: isoTime(c.CreatedAt)}
	if detail {
		out.Config, out.Inputs, out.Outputs, out.Options = c.Config, c.Inputs, c.Outputs, c.Options
		if c.Config == nil {
			out.Config = json.RawMessage("null")
		}
		if c.Inputs == nil {
			out.Inputs = []any{}
		}
		if c.Outputs == nil {
			out.Outputs = []any{}
		}
		if c.Options == nil {
			out.Options = map[string]any{}
		}
	}
	return out
}

// softwareDeploymentWire is heat.engine.api.format_software_deployment.
type softwareDeploymentWire struct {
	ID           string         `json:"id"`
	ServerID     string         `json:"server_id"`
	InputValues  map[string]any `json:"input_values"`
	OutputValues map[string]any `json:"output_values"`
	Action       string         `json:"action"`
	Status       string         `json:"status"`
	StatusReason string         `json:"status_reason"`
	ConfigID     string         `json:"config_id"`
	CreationTime string         `json:"creation_time"`
	UpdatedTime  *string        `json:"updated_time,omitempty"`
}

func softwareDeploymentOut(d *stacks.SoftwareDeployment) *softwareDeploymentWire {
	out := &softwareDeploymentWire{ID: d.ID, ServerID: d.ServerID, InputValues: d.InputValues, OutputValues: d.OutputValues,
		Action: d.Action, Status: d.Status, StatusReason: d.StatusReason, ConfigID: d.ConfigID,
		CreationTime: isoTime(d.CreatedAt), UpdatedTime: isoTimePtr(d.UpdatedAt)}
	if out.InputValues == nil {
		out.InputValues = map[string]any{}
	}
	if out.OutputValues == nil {
		out.OutputValues = map[string]any{}
	}
	return out
}

// bodyField decodes body[key] into dst when present and not null; a
// value of the wrong JSON type is a malformed request.
func bodyField(b *requestBody, key string, dst any, op string) error {
	if b.isNull(key) {
		return nil
	}
	if err := json.Unmarshal(b.fields[key], dst); err != nil {
		return errMalformed(op)
	}
	return nil
}

// bodyText reads a field Heat stores as given: a string as is, any
// other JSON value as its JSON text.
func bodyText(b *requestBody, key string) string {
	if b.isNull(key) {
		return ""
	}
	var s string
	if json.Unmarshal(b.fields[key], &s) == nil {
		return s
	}
	return string(b.fields[key])
}

// softwareConfigList is GET /software_configs: ?limit, ?marker,
// ?global_tenant.
func (h *Handler) softwareConfigList(w http.ResponseWriter, c *call) error {
	if v, ok := c.q.get("global_tenant"); ok {
		global, err := extractBool("global_tenant", v)
		if err != nil {
			return err
		}
		if global {
			if err := h.authorize(c, "software_configs:global_index", identity.ActionStackListGlobal); err != nil {
				return err
			}
		}
	}
	limit := 0
	if v, ok := c.q.single("limit"); ok {
		n, err := extractInt("limit", v, true, false)
		if err != nil {
			return err
		}
		limit = n
	}
	marker, _ := c.q.single("marker")
	list, err := h.stacks.ListSoftwareConfigs(c.r.Context(), c.project, limit, marker)
	if err != nil {
		return err
	}
	out := make([]*softwareConfigWire, 0, len(list))
	for _, sc := range list {
		o := softwareConfigOut(sc, false)
		if c.admin() {
			o.Project = sc.ProjectID
		}
		out = append(out, o)
	}
	writeJSON(w, http.StatusOK, map[string]any{"software_configs": out})
	return nil
}

// softwareConfigCreate is POST /software_configs: 200 with the config.
func (h *Handler) softwareConfigCreate(w http.ResponseWriter, c *call) error {
	const op = "software_config.create"
	if !c.body.present() {
		return errMalformed(op)
	}
	sc := &stacks.SoftwareConfig{ProjectID: c.project}
	// config is stored as the JSON value given (Heat keeps body['config']
	// in a JSON column): text, or a structured config's map.
	if !c.body.isNull("config") {
		dec := json.NewDecoder(bytes.NewReader(c.body.fields["config"]))
		dec.UseNumber()
		if err := dec.Decode(&sc.Config); err != nil {
			return errMalformed(op)
		}
	}
	for key, dst := range map[string]any{"name": &sc.Name, "group": &sc.Group, "inputs": &sc.Inputs,
		"outputs": &sc.Outputs, "options": &sc.Options} {
		if err := bodyField(c.body, key, dst, op); err != nil {
			return err
		}
	}
	out, err := h.stacks.CreateSoftwareConfig(c.r.Context(), sc)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"software_config": softwareConfigOut(out, true)})
	return nil
}

// softwareConfigShow is GET /software_configs/{id}.
func (h *Handler) softwareConfigShow(w http.ResponseWriter, c *call) error {
	sc, err := h.stacks.GetSoftwareConfig(c.r.Context(), c.project, c.vars["config_id"])
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"software_config": softwareConfigOut(sc, true)})
	return nil
}

// softwareConfigDelete is DELETE /software_configs/{id}: 204.
func (h *Handler) softwareConfigDelete(w http.ResponseWriter, c *call) error {
	if err := h.stacks.DeleteSoftwareConfig(c.r.Context(), c.project, c.vars["config_id"]); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// softwareDeploymentList is GET /software_deployments[?server_id=].
func (h *Handler) softwareDeploymentList(w http.ResponseWriter, c *call) error {
	serverID, _ := c.q.single("server_id")
	list, err := h.stacks.ListSoftwareDeployments(c.r.Context(), c.project, serverID)
	if err != nil {
		return err
	}
	out := make([]*softwareDeploymentWire, 0, len(list))
	for _, d := range list {
		out = append(out, softwareDeploymentOut(d))
	}
	writeJSON(w, http.StatusOK, map[string]any{"software_deployments": out})
	return nil
}

// softwareDeploymentMetadata is GET /software_deployments/metadata/{server}.
func (h *Handler) softwareDeploymentMetadata(w http.ResponseWriter, c *call) error {
	md, err := h.stacks.SoftwareDeploymentMetadata(c.r.Context(), c.project, c.vars["server_id"])
	if err != nil {
		return err
	}
	if md == nil {
		md = []map[string]any{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"metadata": md})
	return nil
}

// softwareDeploymentCreate is POST /software_deployments: 200 with the
// deployment.
func (h *Handler) softwareDeploymentCreate(w http.ResponseWriter, c *call) error {
	const op = "software_deployment.create"
	if !c.body.present() {
		return errMalformed(op)
	}
	d := &stacks.SoftwareDeployment{ProjectID: c.project, ConfigID: bodyText(c.body, "config_id"),
		ServerID: bodyText(c.body, "server_id"), Action: bodyText(c.body, "action"), Status: bodyText(c.body, "status"),
		StatusReason: bodyText(c.body, "status_reason")}
	if err := bodyField(c.body, "input_values", &d.InputValues, op); err != nil {
		return err
	}
	out, err := h.stacks.CreateSoftwareDeployment(c.r.Context(), d)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"software_deployment": softwareDeploymentOut(out)})
	return nil
}

// softwareDeploymentShow is GET /software_deployments/{id}.
func (h *Handler) softwareDeploymentShow(w http.ResponseWriter, c *call) error {
	d, err := h.stacks.GetSoftwareDeployment(c.r.Context(), c.project, c.vars["deployment_id"])
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"software_deployment": softwareDeploymentOut(d)})
	return nil
}

// softwareDeploymentUpdate is PUT /software_deployments/{id}: the fields
// given and not null replace the stored ones; 200 with the deployment.
func (h *Handler) softwareDeploymentUpdate(w http.ResponseWriter, c *call) error {
	const op = "software_deployment.update"
	if !c.body.present() {
		return errMalformed(op)
	}
	u := &stacks.SoftwareDeploymentUpdate{}
	text := func(key string) *string {
		if c.body.isNull(key) {
			return nil
		}
		s := bodyText(c.body, key)
		return &s
	}
	u.ConfigID, u.Action, u.Status, u.StatusReason = text("config_id"), text("action"), text("status"), text("status_reason")
	if err := bodyField(c.body, "input_values", &u.InputValues, op); err != nil {
		return err
	}
	if err := bodyField(c.body, "output_values", &u.OutputValues, op); err != nil {
		return err
	}
	d, err := h.stacks.UpdateSoftwareDeployment(c.r.Context(), c.project, c.vars["deployment_id"], u)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"software_deployment": softwareDeploymentOut(d)})
	return nil
}

// softwareDeploymentDelete is DELETE /software_deployments/{id}: 204.
func (h *Handler) softwareDeploymentDelete(w http.ResponseWriter, c *call) error {
	if err := h.stacks.DeleteSoftwareDeployment(c.r.Context(), c.project, c.vars["deployment_id"]); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
