package heat

import (
	"encoding/json"
	"net/http"
	"sort"

	"github.com/kilnhq/kiln/internal/stacks"
)

// resourceFilters are the filters GET .../resources takes; with
// nested_depth and with_detail they are the only query keys allowed.
var resourceFilters = []string{"type", "status", "name", "action", "id", "physical_resource_id"}

// resourceListParams reads GET .../resources's query as Heat's
// ResourceController.index does.
func resourceListParams(q query) (*stacks.ResourceListParams, error) {
	const op = "resource.list"
	allowed := map[string]bool{"nested_depth": true, "with_detail": true}
	for _, f := range resourceFilters {
		allowed[f] = true
	}
	var invalid []string
	seen := map[string]bool{}
	for _, p := range q.pairs {
		if !allowed[p[0]] && !seen[p[0]] {
			seen[p[0]] = true
			invalid = append(invalid, p[0])
		}
	}
	if len(invalid) > 0 {
		sort.Strings(invalid) // Heat prints a set; its order is Python's hash order
		return nil, badRequest(op, "Invalid filter parameters "+pyList(invalid))
	}
	p := &stacks.ResourceListParams{Filters: map[string][]string{}}
	if v, ok := q.get("nested_depth"); ok {
		n, err := extractInt("nested_depth", v, true, false)
		if err != nil {
			return nil, err
		}
		p.NestedDepth = n
	}
	if v, ok := q.get("with_detail"); ok {
		b, err := extractBool("with_detail", v)
		if err != nil {
			return nil, err
		}
		p.WithDetail = b
	}
	for _, f := range resourceFilters {
		if vals := q.mixed(f); len(vals) > 0 {
			p.Filters[f] = vals
		}
	}
	// As for stacks, "CREATE_COMPLETE" filters on action and status.
	if sts := p.Filters["status"]; len(sts) > 0 {
		actions, statuses := splitStatuses(sts)
		p.Filters["status"] = statuses
		for _, a := range actions {
			p.Filters["action"] = appendNew(p.Filters["action"], a)
		}
	}
	return p, nil
}

// resourceList is GET .../resources.
func (h *Handler) resourceList(w http.ResponseWriter, c *call) error {
	p, err := resourceListParams(c.q)
	if err != nil {
		return err
	}
	list, err := h.stacks.ListResources(c.r.Context(), c.ref(), p)
	if err != nil {
		return err
	}
	out := make([]*resourceWire, 0, len(list))
	for _, r := range list {
		out = append(out, h.links.resource(r))
	}
	writeJSON(w, http.StatusOK, map[string]any{"resources": out})
	return nil
}

// resourceShow is GET .../resources/{name}; with_attr names extra
// attributes to resolve.
func (h *Handler) resourceShow(w http.ResponseWriter, c *call) error {
	var withAttr []string
	if vals := c.q.getAll("with_attr"); len(vals) > 0 {
		withAttr = vals
	}
	r, err := h.stacks.GetResource(c.r.Context(), c.ref(), c.vars["resource_name"], withAttr)
	if err != nil {
		return err
	}
	out := h.links.resource(r)
	if out.Attributes == nil { // show always has them
		d := r.Description
		out.Description, out.Attributes = &d, map[string]any{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"resource": out})
	return nil
}

// resourceMetadata is GET .../resources/{name}/metadata.
func (h *Handler) resourceMetadata(w http.ResponseWriter, c *call) error {
	md, err := h.stacks.ResourceMetadata(c.r.Context(), c.ref(), c.vars["resource_name"])
	if err != nil {
		return err
	}
	if md == nil {
		md = map[string]any{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"metadata": md})
	return nil
}

// resourceSignal is POST .../resources/{name}/signal. The body, when Heat
// would parse one (a JSON object), is the signal's data; 200 with null
// once the signal is durable.
func (h *Handler) resourceSignal(w http.ResponseWriter, c *call) error {
	var data json.RawMessage
	if c.body.present() {
		data = c.body.raw
	}
	if err := h.stacks.SignalResource(c.r.Context(), c.ref(), c.vars["resource_name"], data); err != nil {
		return err
	}
	writeNull(w)
	return nil
}

// resourceMarkUnhealthy is PATCH .../resources/{name_or_physical_id}:
// {"mark_unhealthy": bool, "resource_status_reason": "..."}; 200 null.
func (h *Handler) resourceMarkUnhealthy(w http.ResponseWriter, c *call) error {
	const op = "resource.mark_unhealthy"
	if !c.body.present() {
		return errMalformed(op)
	}
	var invalid []string
	for _, k := range c.body.keys {
		if k != "mark_unhealthy" && k != "resource_status_reason" {
			invalid = append(invalid, k)
		}
	}
	if len(invalid) > 0 {
		return badRequest(op, "Invalid keys in resource mark unhealthy "+pySet(invalid))
	}
	raw, ok := c.body.fields["mark_unhealthy"]
	if !ok {
		return badRequest(op, "Missing mandatory (mark_unhealthy) key from mark unhealthy request")
	}
	unhealthy, err := extractBoolJSON("mark_unhealthy", raw)
	if err != nil {
		return err
	}
	reason := ""
	if raw, ok := c.body.fields["resource_status_reason"]; ok {
		var v any
		if err := decodeJSON(raw, &v); err != nil {
			return err
		}
		if v != nil {
			reason = pyStr(v)
		}
	}
	if err := h.stacks.MarkUnhealthy(c.r.Context(), c.ref(), c.vars["resource_name"], unhealthy, reason); err != nil {
		return err
	}
	writeNull(w)
	return nil
}
