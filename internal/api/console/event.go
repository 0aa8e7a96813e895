package console

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/kilnhq/kiln/internal/engine"
	"github.com/kilnhq/kiln/internal/identity"
)

type eventWire struct {
	ID           string          `json:"id"`
	Action       string          `json:"action,omitempty"`
	CreatedAt    string          `json:"created_at"`
	Data         json.RawMessage `json:"data,omitempty"`
	OperationID  string          `json:"operation_id,omitempty"`
	PhysicalID   string          `json:"physical_id,omitempty"`
	Reason       string          `json:"reason,omitempty"`
	ResourceID   string          `json:"resource_id,omitempty"`
	ResourceName string          `json:"resource_name,omitempty"`
	ResourceType string          `json:"resource_type,omitempty"`
	Seq          int64           `json:"seq"`
	Status       string          `json:"status,omitempty"`
	Type         string          `json:"type"`
}

// eventList pages the project's events by seq: ?after=<seq> ascending
// (default) or ?before=<seq>&sort_dir=desc; next_marker is the seq to pass
// as after/before for the next page, absent on the last page.
func (h *Handler) eventList(w http.ResponseWriter, r *http.Request, p *identity.Principal) {
	limit, err := limitParam(r, 100)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	q := r.URL.Query()
	params := &engine.EventListParams{Limit: limit, OperationID: q.Get("operation_id"), ProjectID: p.ProjectID}
	if id := q.Get("resource_id"); id != "" {
		params.ResourceIDs = []string{id}
	}
	switch q.Get("sort_dir") {
	case "", "asc":
	case "desc":
		params.Descending = true
	default:
		h.writeError(w, r, engine.Invalid("console.event_list", "sort_dir must be asc or desc"))
		return
	}
	for name, dst := range map[string]*int64{"after": &params.AfterSeq, "before": &params.BeforeSeq} {
		if s := q.Get(name); s != "" {
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil || n < 0 {
				h.writeError(w, r, engine.Invalid("console.event_list", "%s must be a non-negative event seq", name))
				return
			}
			*dst = n
		}
	}
	evs, err := h.cfg.Engine.ListEvents(r.Context(), params)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	out := make([]eventWire, len(evs))
	for i, ev := range evs {
		out[i] = eventWire{
			ID: ev.ID, Action: ev.Action, CreatedAt: formatTime(ev.CreatedAt), Data: ev.Data, OperationID: ev.OperationID,
			PhysicalID: ev.PhysicalID, Reason: ev.Reason, ResourceID: ev.ResourceID, ResourceName: ev.ResourceName,
			ResourceType: ev.ResourceType, Seq: ev.Seq, Status: ev.Status, Type: ev.Type,
		}
	}
	body := map[string]any{"events": out}
	if len(evs) == limit {
		body["next_marker"] = evs[len(evs)-1].Seq
	}
	writeJSON(w, http.StatusOK, body)
}
