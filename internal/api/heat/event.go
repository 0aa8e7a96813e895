package heat

import (
	"fmt"
	"net/http"

	"github.com/kilnhq/kiln/internal/stacks"
)

// eventListParams reads GET .../events's query as Heat's
// EventController.index does.
func eventListParams(q query, resourceName string) (*stacks.EventListParams, error) {
	p := &stacks.EventListParams{ResourceName: resourceName}
	for _, f := range []struct {
		name string
		dst  *int
	}{{"limit", &p.Limit}, {"nested_depth", &p.NestedDepth}} {
		if v, ok := q.single(f.name); ok {
			n, err := extractInt(f.name, v, true, false)
			if err != nil {
				return nil, err
			}
			*f.dst = n
		}
	}
	p.Marker, _ = q.single("marker")
	p.SortDir, _ = q.single("sort_dir")
	p.SortKeys = q.getAll("sort_keys")
	p.ResourceStatus = q.mixed("resource_status")
	p.ResourceActions = q.mixed("resource_action")
	p.ResourceTypes = q.mixed("resource_type")
	if resourceName == "" {
		p.ResourceNames = q.mixed("resource_name")
	}
	return p, nil
}

// eventList is GET .../events and .../resources/{name}/events. An empty
// list of a resource's events is 404, as in Heat.
func (h *Handler) eventList(w http.ResponseWriter, c *call) error {
	name := c.vars["resource_name"]
	p, err := eventListParams(c.q, name)
	if err != nil {
		return err
	}
	list, err := h.stacks.ListEvents(c.r.Context(), c.ref(), p)
	if err != nil {
		return err
	}
	if len(list) == 0 && name != "" {
		return notFound("event.list", fmt.Sprintf("No events found for resource %s", name))
	}
	out := make([]*eventWire, 0, len(list))
	for _, e := range list {
		out = append(out, h.links.event(e, false))
	}
	writeJSON(w, http.StatusOK, &struct {
		Events []*eventWire `json:"events"`
	}{out})
	return nil
}

// eventShow is GET .../resources/{name}/events/{id}.
func (h *Handler) eventShow(w http.ResponseWriter, c *call) error {
	e, err := h.stacks.GetEvent(c.r.Context(), c.ref(), c.vars["resource_name"], c.vars["event_id"])
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, &struct {
		Event *eventWire `json:"event"`
	}{h.links.event(e, true)})
	return nil
}
