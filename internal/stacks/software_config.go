package stacks

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/kilnhq/kiln/internal/engine"
)

// Engine resource types of Heat's software configs and deployments.
const (
	softwareConfigType     = "Heat::SoftwareConfig"
	softwareDeploymentType = "Heat::SoftwareDeployment"
)

// SoftwareConfig is Heat's software config: immutable once created.
// Config is the JSON value given, stored and returned as is: a script's
// text for most groups, a map for OS::Heat::StructuredConfig (Heat does
// not look at the group), nil (JSON null) when none was given.
type SoftwareConfig struct {
	ID        string
	Config    any
	CreatedAt time.Time
	Group     string
	Inputs    []any
	Name      string
	Options   map[string]any
	Outputs   []any
	ProjectID string
}

// SoftwareDeployment binds a config to a server, with the server's
// reported state.
type SoftwareDeployment struct {
	ID           string
	Action       string
	ConfigID     string
	CreatedAt    time.Time
	InputValues  map[string]any
	OutputValues map[string]any
	ProjectID    string
	ServerID     string
	Status       string
	StatusReason string
	UpdatedAt    *time.Time
}

// SoftwareDeploymentUpdate is PUT /software_deployments/{id}; nil fields
// keep their values.
type SoftwareDeploymentUpdate struct {
	Action       *string
	ConfigID     *string
	InputValues  map[string]any
	OutputValues map[string]any
	Status       *string
	StatusReason *string
}

type softwareConfigBody struct {
	Config  any            `json:"config"`
	Group   string         `json:"group"`
	Inputs  []any          `json:"inputs"`
	Options map[string]any `json:"options"`
	Outputs []any          `json:"outputs"`
}

type softwareDeploymentBody struct {
	Action       string         `json:"action"`
	ConfigID     string         `json:"config_id"`
	InputValues  map[string]any `json:"input_values"`
	OutputValues map[string]any `json:"output_values"`
	ServerID     string         `json:"server_id"`
	Status       string         `json:"status"`
	StatusReason string         `json:"status_reason"`
}

func configNotFound(id string) error {
	return &engine.Error{Kind: engine.KindNotFound, Code: "NotFound", Op: "software_config.get",
		Msg: fmt.Sprintf("Software config with id %s not found", id)}
}

func deploymentNotFound(id string) error {
	return &engine.Error{Kind: engine.KindNotFound, Code: "NotFound", Op: "software_deployment.get",
		Msg: fmt.Sprintf("Deployment with id %s not found", id)}
}

func toConfig(r *engine.Resource) (*SoftwareConfig, error) {
	var b softwareConfigBody
	dec := json.NewDecoder(bytes.NewReader(r.Properties))
	dec.UseNumber() // a structured config's 1.0 stays 1.0
	if err := dec.Decode(&b); err != nil {
		return nil, &engine.Error{Kind: engine.KindInternal, Op: "software_config.decode", Err: err}
	}
	c := &SoftwareConfig{ID: r.ID, Config: b.Config, CreatedAt: r.CreatedAt, Group: b.Group, Inputs: b.Inputs,
		Name: r.Name, Options: b.Options, Outputs: b.Outputs, ProjectID: r.ProjectID}
	if c.Inputs == nil {
		c.Inputs = []any{}
	}
	if c.Outputs == nil {
		c.Outputs = []any{}
	}
	if c.Options == nil {
		c.Options = map[string]any{}
	}
	return c, nil
}

func toDeployment(r *engine.Resource) (*SoftwareDeployment, error) {
	var b softwareDeploymentBody
	if err := json.Unmarshal(r.Properties, &b); err != nil {
		return nil, &engine.Error{Kind: engine.KindInternal, Op: "software_deployment.decode", Err: err}
	}
	d := &SoftwareDeployment{ID: r.ID, Action: b.Action, ConfigID: b.ConfigID, CreatedAt: r.CreatedAt,
		InputValues: b.InputValues, OutputValues: b.OutputValues, ProjectID: r.ProjectID, ServerID: b.ServerID,
		Status: b.Status, StatusReason: b.StatusReason}
	if r.UpdatedAt.After(r.CreatedAt) {
		u := r.UpdatedAt
		d.UpdatedAt = &u
	}
	if d.InputValues == nil {
		d.InputValues = map[string]any{}
	}
	if d.OutputValues == nil {
		d.OutputValues = map[string]any{}
	}
	return d, nil
}

// CreateSoftwareConfig implements API.
func (s *Service) CreateSoftwareConfig(ctx context.Context, c *SoftwareConfig) (*SoftwareConfig, error) {
	if c.Name == "" {
		c.Name = "config-" + engine.NewID()[:8]
	}
	return s.createConfig(ctx, engine.NewUUID(), c)
}

// createConfig stores a config under id, as Heat's
// create_software_config: group defaults to Heat::Ungrouped and the
// inputs and outputs are normalised (normaliseIO). When a config with id
// exists already (a resource type's Create repeated after a crash), it
// is returned unchanged: the id decides, so a repeat never makes a
// second config.
func (s *Service) createConfig(ctx context.Context, id string, c *SoftwareConfig) (*SoftwareConfig, error) {
	if c.Group == "" {
		c.Group = "Heat::Ungrouped"
	}
	body := softwareConfigBody{Config: c.Config, Group: c.Group, Inputs: normaliseIO(c.Inputs, true),
		Options: c.Options, Outputs: normaliseIO(c.Outputs, false)}
	var r *engine.Resource
	err := s.e.InTx(ctx, func(ctx context.Context, tx *engine.Tx) error {
		var err error
		r, err = tx.GetResource(ctx, c.ProjectID, id)
		if err == nil {
			if r.Type != softwareConfigType {
				return engine.Conflict("software_config.create", "id %s is taken by a %s", id, r.Type)
			}
			return nil
		}
		if engine.KindOf(err) != engine.KindNotFound {
			return err
		}
		r, err = tx.CreateResource(ctx, &engine.ResourceCreateParams{ID: id, ProjectID: c.ProjectID,
			Type: softwareConfigType, Name: c.Name, Properties: mustJSON(body)})
		return err
	})
	if err != nil {
		return nil, err
	}
	return toConfig(r)
}

// normaliseIO is Heat's InputConfig/OutputConfig as_dict on a config's
// inputs or outputs: type defaults to String, an output's error_output
// to false, null fields are dropped and so is an input's
// replace_on_change unless true. Items that are not maps are kept as
// given (Heat refuses them; Kiln stores them).
func normaliseIO(items []any, inputs bool) []any {
	if items == nil {
		return []any{}
	}
	out := make([]any, len(items))
	for i, item := range items {
		m, ok := item.(map[string]any)
		if !ok {
			out[i] = item
			continue
		}
		n := map[string]any{}
		for k, v := range m {
			if v != nil {
				n[k] = v
			}
		}
		if n["type"] == nil {
			n["type"] = "String"
		}
		if inputs {
			if b, ok := n["replace_on_change"].(bool); ok && !b {
				delete(n, "replace_on_change")
			}
		} else if n["error_output"] == nil {
			n["error_output"] = false
		}
		out[i] = n
	}
	return out
}

func (s *Service) loadTyped(ctx context.Context, projectID, id, typ string, notFound func(string) error) (*engine.Resource, error) {
	r, err := s.e.GetResource(ctx, projectID, id)
	if err != nil {
		if engine.KindOf(err) == engine.KindNotFound {
			return nil, notFound(id)
		}
		return nil, err
	}
	if r.Type != typ || r.DeletedAt != nil {
		return nil, notFound(id)
	}
	return r, nil
}

// GetSoftwareConfig implements API.
func (s *Service) GetSoftwareConfig(ctx context.Context, projectID, id string) (*SoftwareConfig, error) {
	r, err := s.loadTyped(ctx, projectID, id, softwareConfigType, configNotFound)
	if err != nil {
		return nil, err
	}
	return toConfig(r)
}

// ListSoftwareConfigs implements API: newest first, limit/marker paging.
func (s *Service) ListSoftwareConfigs(ctx context.Context, projectID string, limit int, marker string) ([]*SoftwareConfig, error) {
	rs, err := s.e.ListResources(ctx, &engine.ResourceListParams{ProjectID: projectID, Type: softwareConfigType})
	if err != nil {
		return nil, err
	}
	sort.SliceStable(rs, func(i, j int) bool { return rs[i].CreatedAt.After(rs[j].CreatedAt) })
	var out []*SoftwareConfig
	seen := marker == ""
	for _, r := range rs {
		if !seen {
			seen = r.ID == marker
			continue
		}
		c, err := toConfig(r)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
		if limit > 0 && len(out) == limit {
			break
		}
	}
	return out, nil
}

// DeleteSoftwareConfig implements API.
func (s *Service) DeleteSoftwareConfig(ctx context.Context, projectID, id string) error {
	r, err := s.loadTyped(ctx, projectID, id, softwareConfigType, configNotFound)
	if err != nil {
		return err
	}
	return s.e.InTx(ctx, func(ctx context.Context, tx *engine.Tx) error {
		_, err := tx.UpdateResource(ctx, &engine.ResourceUpdateParams{ID: r.ID, ExpectedVersion: r.Version,
			Action: engine.ActionDelete, Status: engine.StatusComplete, StatusReason: "deleted"})
		return err
	})
}

// deleteConfigIfExists deletes a config; one already gone (or never
// made) is not an error, as for Heat's config resources.
func (s *Service) deleteConfigIfExists(ctx context.Context, projectID, id string) error {
	err := s.DeleteSoftwareConfig(ctx, projectID, id)
	if engine.KindOf(err) == engine.KindNotFound {
		return nil
	}
	if engine.KindOf(err) == engine.KindConflict {
		// Deleted concurrently: read again to tell.
		if _, gerr := s.GetSoftwareConfig(ctx, projectID, id); engine.KindOf(gerr) == engine.KindNotFound {
			return nil
		}
	}
	return err
}

// CreateSoftwareDeployment implements API; the config must exist.
func (s *Service) CreateSoftwareDeployment(ctx context.Context, d *SoftwareDeployment) (*SoftwareDeployment, error) {
	if _, err := s.GetSoftwareConfig(ctx, d.ProjectID, d.ConfigID); err != nil {
		return nil, err
	}
	if d.Action == "" {
		d.Action = "INIT"
	}
	if d.Status == "" {
		d.Status = "COMPLETE"
	}
	body := softwareDeploymentBody{Action: d.Action, ConfigID: d.ConfigID, InputValues: d.InputValues,
		OutputValues: d.OutputValues, ServerID: d.ServerID, Status: d.Status, StatusReason: d.StatusReason}
	var r *engine.Resource
	err := s.e.InTx(ctx, func(ctx context.Context, tx *engine.Tx) error {
		var err error
		r, err = tx.CreateResource(ctx, &engine.ResourceCreateParams{ID: engine.NewUUID(), ProjectID: d.ProjectID,
			Type: softwareDeploymentType, Name: d.ServerID, Properties: mustJSON(body)})
		return err
	})
	if err != nil {
		return nil, err
	}
	return toDeployment(r)
}

// GetSoftwareDeployment implements API.
func (s *Service) GetSoftwareDeployment(ctx context.Context, projectID, id string) (*SoftwareDeployment, error) {
	r, err := s.loadTyped(ctx, projectID, id, softwareDeploymentType, deploymentNotFound)
	if err != nil {
		return nil, err
	}
	return toDeployment(r)
}

// ListSoftwareDeployments implements API, optionally for one server.
func (s *Service) ListSoftwareDeployments(ctx context.Context, projectID, serverID string) ([]*SoftwareDeployment, error) {
	rs, err := s.e.ListResources(ctx, &engine.ResourceListParams{ProjectID: projectID, Type: softwareDeploymentType, Name: serverID})
	if err != nil {
		return nil, err
	}
	sort.SliceStable(rs, func(i, j int) bool { return rs[i].CreatedAt.Before(rs[j].CreatedAt) })
	out := make([]*SoftwareDeployment, 0, len(rs))
	for _, r := range rs {
		d, err := toDeployment(r)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// UpdateSoftwareDeployment implements API.
func (s *Service) UpdateSoftwareDeployment(ctx context.Context, projectID, id string, u *SoftwareDeploymentUpdate) (*SoftwareDeployment, error) {
	r, err := s.loadTyped(ctx, projectID, id, softwareDeploymentType, deploymentNotFound)
	if err != nil {
		return nil, err
	}
	var b softwareDeploymentBody
	if err := json.Unmarshal(r.Properties, &b); err != nil {
		return nil, &engine.Error{Kind: engine.KindInternal, Op: "software_deployment.decode", Err: err}
	}
	if u.ConfigID != nil {
		if _, err := s.GetSoftwareConfig(ctx, projectID, *u.ConfigID); err != nil {
			return nil, err
		}
		b.ConfigID = *u.ConfigID
	}
	for dst, src := range map[*string]*string{&b.Action: u.Action, &b.Status: u.Status, &b.StatusReason: u.StatusReason} {
		if src != nil {
			*dst = *src
		}
	}
	if u.InputValues != nil {
		b.InputValues = u.InputValues
	}
	if u.OutputValues != nil {
		b.OutputValues = u.OutputValues
	}
	var out *engine.Resource
	err = s.e.InTx(ctx, func(ctx context.Context, tx *engine.Tx) error {
		var err error
		out, err = tx.UpdateResource(ctx, &engine.ResourceUpdateParams{ID: r.ID, ExpectedVersion: r.Version,
			Action: r.Action, Status: r.Status, StatusReason: r.StatusReason, Properties: mustJSON(b)})
		return err
	})
	if err != nil {
		return nil, err
	}
	return toDeployment(out)
}

// DeleteSoftwareDeployment implements API.
func (s *Service) DeleteSoftwareDeployment(ctx context.Context, projectID, id string) error {
	r, err := s.loadTyped(ctx, projectID, id, softwareDeploymentType, deploymentNotFound)
	if err != nil {
		return err
	}
	return s.e.InTx(ctx, func(ctx context.Context, tx *engine.Tx) error {
		_, err := tx.UpdateResource(ctx, &engine.ResourceUpdateParams{ID: r.ID, ExpectedVersion: r.Version,
			Action: engine.ActionDelete, Status: engine.StatusComplete, StatusReason: "deleted"})
		return err
	})
}

// SoftwareDeploymentMetadata implements API: the configs deployed to a
// server, oldest first, as Heat's metadata list (each config with the
// deployment's input values).
func (s *Service) SoftwareDeploymentMetadata(ctx context.Context, projectID, serverID string) ([]map[string]any, error) {
	ds, err := s.ListSoftwareDeployments(ctx, projectID, serverID)
	if err != nil {
		return nil, err
	}
	out := []map[string]any{}
	for _, d := range ds {
		c, err := s.GetSoftwareConfig(ctx, projectID, d.ConfigID)
		if err != nil {
			continue // the config was deleted; Heat skips it too
		}
		inputs := []any{}
		for _, in := range c.Inputs {
			m, ok := in.(map[string]any)
			if !ok {
				continue
			}
			cp := map[string]any{}
			for k, v := range m {
				cp[k] = v
			}
			if name, ok := m["name"].(string); ok {
				if v, ok := d.InputValues[name]; ok {
					cp["value"] = v
				}
			}
			inputs = append(inputs, cp)
		}
		item := map[string]any{
			"id": d.ID, "name": c.Name, "group": c.Group, "config": c.Config, "inputs": inputs,
			"outputs": c.Outputs, "options": c.Options,
			"creation_time": d.CreatedAt.UTC().Format("2006-01-02T15:04:05Z"),
		}
		if d.UpdatedAt != nil {
			item["updated_time"] = d.UpdatedAt.UTC().Format("2006-01-02T15:04:05Z")
		}
		out = append(out, item)
	}
	return out, nil
}
