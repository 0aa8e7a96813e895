package heat

import (
	"net/http"

	"github.com/kilnhq/kiln/internal/stacks"
)

// snapshotWire is Heat 19's format_snapshot (heat/engine/api.py), keys in
// Heat's order.
type snapshotWire struct {
	ID           string         `json:"id"`
	Name         *string        `json:"name"`
	Status       string         `json:"status"`
	StatusReason *string        `json:"status_reason"`
	Data         map[string]any `json:"data"`
	CreationTime string         `json:"creation_time"`
}

func snapshotOut(s *stacks.Snapshot) *snapshotWire {
	return &snapshotWire{ID: s.ID, Name: s.Name, Status: s.Status, StatusReason: s.StatusReason, Data: s.Data,
		CreationTime: isoTime(s.CreatedAt)}
}

// snapshotCreate is POST .../snapshots: 200 with the snapshot, not
// wrapped, IN_PROGRESS and without data (the stack's SNAPSHOT action
// completes it). Heat requires a body; "name" is optional.
func (h *Handler) snapshotCreate(w http.ResponseWriter, c *call) error {
	const op = "stack.snapshot"
	if !c.body.present() {
		return errMalformed(op)
	}
	var name *string
	if !c.body.isNull("name") {
		n := bodyText(c.body, "name")
		name = &n
	}
	s, err := h.stacks.SnapshotStack(c.r.Context(), c.ref(), name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, snapshotOut(s))
	return nil
}

// snapshotList is GET .../snapshots: {"snapshots": [...]}, data included.
func (h *Handler) snapshotList(w http.ResponseWriter, c *call) error {
	list, err := h.stacks.ListSnapshots(c.r.Context(), c.ref())
	if err != nil {
		return err
	}
	out := make([]*snapshotWire, len(list))
	for i, s := range list {
		out[i] = snapshotOut(s)
	}
	writeJSON(w, http.StatusOK, map[string]any{"snapshots": out})
	return nil
}

// snapshotShow is GET .../snapshots/{id}: {"snapshot": {...}}.
func (h *Handler) snapshotShow(w http.ResponseWriter, c *call) error {
	s, err := h.stacks.GetSnapshot(c.r.Context(), c.ref(), c.vars["snapshot_id"])
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"snapshot": snapshotOut(s)})
	return nil
}

// snapshotDelete is DELETE .../snapshots/{id}: 204.
func (h *Handler) snapshotDelete(w http.ResponseWriter, c *call) error {
	if err := h.stacks.DeleteSnapshot(c.r.Context(), c.ref(), c.vars["snapshot_id"]); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// snapshotRestore is POST .../snapshots/{id}/restore: 202 with webob's
// body; the stack goes RESTORE_IN_PROGRESS.
func (h *Handler) snapshotRestore(w http.ResponseWriter, c *call) error {
	if err := h.stacks.RestoreSnapshot(c.r.Context(), c.ref(), c.vars["snapshot_id"]); err != nil {
		return err
	}
	writeAccepted(w)
	return nil
}

// stackExport is GET .../export. Heat answers it only with
// enable_stack_abandon (default off: 400 "Stack Abandon is not
// supported.", after the stack is found); Config.EnableExport turns it on.
func (h *Handler) stackExport(w http.ResponseWriter, c *call) error {
	if !h.enableExport {
		if _, err := h.stacks.GetStack(c.r.Context(), c.ref(), false); err != nil {
			return err
		}
		return invalidAs("stack.export", "NotSupported", "Stack Abandon is not supported.")
	}
	data, err := h.stacks.ExportStack(c.r.Context(), c.ref())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, data)
	return nil
}
