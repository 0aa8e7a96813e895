package heat

import (
	"encoding/json"
	"net/http"

	"github.com/kilnhq/kiln/internal/stacks"
)

// Software configs and deployments (heat/api/openstack/v1/
// software_configs.py, software_deployments.py).

type softwareConfigWire struct {
	Config       string         `json:"config"`
	CreationTime string         `json:"creation_time"`
	Group        string         `json:"group"`
	ID           string         `json:"id"`
	Inputs       []any          `json:"inputs"`
	Name         string         `json:"name"`
	Options      map[string]any `json:"options"`
	Outputs      []any          `json:"outputs"`
}

type softwareConfigSummary struct {
	CreationTime string `json:"creation_time"`
	Group        string `json:"group"`
	ID           string `json:"id"`
	Name         string `json:"name"`
}

type softwareDeploymentWire struct {
	Action       string         `json:"action"`
	ConfigID     string         `json:"config_id"`
	CreationTime string         `json:"creation_time"`
	ID           string         `json:"id"`
	InputValues  map[string]any `json:"input_values"`
	OutputValues map[string]any `json:"output_values"`
	ServerID     string         `json:"server_id"`
	Status       string         `json:"status"`
	StatusReason string         `json:"status_reason"`
	UpdatedTime  *string        `json:"updated_time"`
}

func configWire(c *stacks.SoftwareConfig) *softwareConfigWire {
	return &softwareConfigWire{Config: c.Config, CreationTime: isoTime(c.CreatedAt), Group: c.Group, ID: c.ID,
		Inputs: c.Inputs, Name: c.Name, Options: c.Options, Outputs: c.Outputs}
}

func deploymentWire(d *stacks.SoftwareDeployment) *softwareDeploymentWire {
	return &softwareDeploymentWire{Action: d.Action, ConfigID: d.ConfigID, CreationTime: isoTime(d.CreatedAt), ID: d.ID,
		InputValues: d.InputValues, OutputValues: d.OutputValues, ServerID: d.ServerID, Status: d.Status,
		StatusReason: d.StatusReason, UpdatedTime: isoTimePtr(d.UpdatedAt)}
}

// field decodes one optional body member into v; absent keeps v.
func (c *call) field(key string, v any) error {
	raw, ok := c.body.fields[key]
	if !ok || string(raw) == "null" {
		return nil
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return badRequest("software_config.decode", "Invalid value for "+key)
	}
	return nil
}

func (h *Handler) softwareConfigCreate(w http.ResponseWriter, c *call) error {
	if !c.body.present() {
		return errMalformed("software_config.create")
	}
	in := &stacks.SoftwareConfig{ProjectID: c.project}
	for key, dst := range map[string]any{"name": &in.Name, "group": &in.Group, "config": &in.Config,
		"inputs": &in.Inputs, "outputs": &in.Outputs, "options": &in.Options} {
		if err := c.field(key, dst); err != nil {
			return err
		}
	}
	out, err := h.stacks.CreateSoftwareConfig(c.r.Context(), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"software_config": configWire(out)})
	return nil
}

func (h *Handler) softwareConfigShow(w http.ResponseWriter, c *call) error {
	out, err := h.stacks.GetSoftwareConfig(c.r.Context(), c.project, c.vars["config_id"])
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"software_config": configWire(out)})
	return nil
}

func (h *Handler) softwareConfigList(w http.ResponseWriter, c *call) error {
	limit := 0
	if v, ok := c.q.get("limit"); ok {
		n, err := extractInt("limit", v, false, false)
		if err != nil {
			return err
		}
		limit = n
	}
	marker, _ := c.q.get("marker")
	cs, err := h.stacks.ListSoftwareConfigs(c.r.Context(), c.project, limit, marker)
	if err != nil {
		return err
	}
	out := make([]softwareConfigSummary, len(cs))
	for i, x := range cs {
		out[i] = softwareConfigSummary{CreationTime: isoTime(x.CreatedAt), Group: x.Group, ID: x.ID, Name: x.Name}
	}
	writeJSON(w, http.StatusOK, map[string]any{"software_configs": out})
	return nil
}

func (h *Handler) softwareConfigDelete(w http.ResponseWriter, c *call) error {
	if err := h.stacks.DeleteSoftwareConfig(c.r.Context(), c.project, c.vars["config_id"]); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) softwareDeploymentCreate(w http.ResponseWriter, c *call) error {
	if !c.body.present() {
		return errMalformed("software_deployment.create")
	}
	in := &stacks.SoftwareDeployment{ProjectID: c.project}
	for key, dst := range map[string]any{"config_id": &in.ConfigID, "server_id": &in.ServerID, "action": &in.Action,
		"status": &in.Status, "status_reason": &in.StatusReason, "input_values": &in.InputValues} {
		if err := c.field(key, dst); err != nil {
			return err
		}
	}
	out, err := h.stacks.CreateSoftwareDeployment(c.r.Context(), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"software_deployment": deploymentWire(out)})
	return nil
}

func (h *Handler) softwareDeploymentShow(w http.ResponseWriter, c *call) error {
	out, err := h.stacks.GetSoftwareDeployment(c.r.Context(), c.project, c.vars["deployment_id"])
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"software_deployment": deploymentWire(out)})
	return nil
}

func (h *Handler) softwareDeploymentList(w http.ResponseWriter, c *call) error {
	server, _ := c.q.get("server_id")
	ds, err := h.stacks.ListSoftwareDeployments(c.r.Context(), c.project, server)
	if err != nil {
		return err
	}
	out := make([]*softwareDeploymentWire, len(ds))
	for i, d := range ds {
		out[i] = deploymentWire(d)
	}
	writeJSON(w, http.StatusOK, map[string]any{"software_deployments": out})
	return nil
}

func (h *Handler) softwareDeploymentUpdate(w http.ResponseWriter, c *call) error {
	if !c.body.present() {
		return errMalformed("software_deployment.update")
	}
	u := &stacks.SoftwareDeploymentUpdate{}
	str := func(key string) (*string, error) {
		if _, ok := c.body.fields[key]; !ok {
			return nil, nil
		}
		var s string
		if err := c.field(key, &s); err != nil {
			return nil, err
		}
		return &s, nil
	}
	var err error
	if u.Action, err = str("action"); err != nil {
		return err
	}
	if u.ConfigID, err = str("config_id"); err != nil {
		return err
	}
	if u.Status, err = str("status"); err != nil {
		return err
	}
	if u.StatusReason, err = str("status_reason"); err != nil {
		return err
	}
	if err := c.field("input_values", &u.InputValues); err != nil {
		return err
	}
	if err := c.field("output_values", &u.OutputValues); err != nil {
		return err
	}
	out, err := h.stacks.UpdateSoftwareDeployment(c.r.Context(), c.project, c.vars["deployment_id"], u)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"software_deployment": deploymentWire(out)})
	return nil
}

func (h *Handler) softwareDeploymentDelete(w http.ResponseWriter, c *call) error {
	if err := h.stacks.DeleteSoftwareDeployment(c.r.Context(), c.project, c.vars["deployment_id"]); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) softwareDeploymentMetadata(w http.ResponseWriter, c *call) error {
	md, err := h.stacks.SoftwareDeploymentMetadata(c.r.Context(), c.project, c.vars["server_id"])
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"metadata": md})
	return nil
}
