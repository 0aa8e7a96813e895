package console

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/kilnhq/kiln/internal/engine"
	"github.com/kilnhq/kiln/internal/identity"
)

const maxBody = 1 << 20

type operationWire struct {
	ID              string          `json:"id"`
	Attempt         int             `json:"attempt"`
	CancelRequested bool            `json:"cancel_requested"`
	Checkpoint      json.RawMessage `json:"checkpoint,omitempty"`
	CreatedAt       string          `json:"created_at"`
	Error           string          `json:"error,omitempty"`
	FinishedAt      *string         `json:"finished_at"`
	IdempotencyKey  string          `json:"idempotency_key,omitempty"`
	Input           json.RawMessage `json:"input,omitempty"`
	Links           []link          `json:"links"`
	MaxAttempts     int             `json:"max_attempts"`
	ParentID        string          `json:"parent_id,omitempty"`
	ProjectID       string          `json:"project_id"`
	ResourceID      string          `json:"resource_id,omitempty"`
	Result          json.RawMessage `json:"result,omitempty"`
	StartedAt       *string         `json:"started_at"`
	State           string          `json:"state"`
	TimeoutAt       *string         `json:"timeout_at"`
	Type            string          `json:"type"`
	UpdatedAt       string          `json:"updated_at"`
}

type link struct {
	Href string `json:"href"`
	Rel  string `json:"rel"`
}

func formatTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000Z") }

func formatTimePtr(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := formatTime(*t)
	return &s
}

func (h *Handler) operationToWire(op *engine.Operation) *operationWire {
	return &operationWire{
		ID: op.ID, Attempt: op.Attempt, CancelRequested: op.CancelRequested, Checkpoint: op.Checkpoint,
		CreatedAt: formatTime(op.CreatedAt), Error: op.Error, FinishedAt: formatTimePtr(op.FinishedAt),
		IdempotencyKey: op.IdempotencyKey, Input: op.Input,
		Links:       []link{{Href: h.cfg.PublicURL + "/api/kiln/v1/operations/" + op.ID, Rel: "self"}},
		MaxAttempts: op.MaxAttempts, ParentID: op.ParentID, ProjectID: op.ProjectID, ResourceID: op.ResourceID,
		Result: op.Result, StartedAt: formatTimePtr(op.StartedAt), State: string(op.State),
		TimeoutAt: formatTimePtr(op.TimeoutAt), Type: op.Type, UpdatedAt: formatTime(op.UpdatedAt),
	}
}

type operationCreateRequest struct {
	IdempotencyKey string          `json:"idempotency_key"`
	Input          json.RawMessage `json:"input"`
	MaxAttempts    int             `json:"max_attempts"`
	TimeoutSeconds int             `json:"timeout_seconds"`
	Type           string          `json:"type"`
}

// decode reads a JSON body of at most maxBody bytes into v.
func decode(r *http.Request, v any) error {
	dec := json.NewDecoder(io.LimitReader(r.Body, maxBody+1))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.EOF) {
			return engine.Invalid("console.decode", "request body is empty; expected a JSON object")
		}
		return engine.Invalid("console.decode", "request body is not valid JSON: %v", err)
	}
	if dec.More() {
		return engine.Invalid("console.decode", "request body has data after the JSON object")
	}
	return nil
}

func (h *Handler) operationCreate(w http.ResponseWriter, r *http.Request, p *identity.Principal) {
	var req operationCreateRequest
	if err := decode(r, &req); err != nil {
		h.writeError(w, r, err)
		return
	}
	if req.Type == "" {
		h.writeError(w, r, engine.Invalid("console.operation_create", "type is required"))
		return
	}
	if req.TimeoutSeconds < 0 || req.MaxAttempts < 0 || req.MaxAttempts > 100 {
		h.writeError(w, r, engine.Invalid("console.operation_create", "timeout_seconds must be >= 0 and max_attempts 0..100"))
		return
	}
	input := req.Input
	if len(input) == 0 {
		input = json.RawMessage(`{}`)
	}
	op, created, err := h.cfg.Engine.Submit(r.Context(), &engine.SubmitParams{
		IdempotencyKey: req.IdempotencyKey, Input: input, MaxAttempts: req.MaxAttempts, ProjectID: p.ProjectID,
		Timeout: time.Duration(req.TimeoutSeconds) * time.Second, Type: req.Type,
	})
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	status := http.StatusCreated
	if !created {
		status = http.StatusOK
	}
	w.Header().Set("Location", h.cfg.PublicURL+"/api/kiln/v1/operations/"+op.ID)
	writeJSON(w, status, map[string]any{"operation": h.operationToWire(op)})
}

func (h *Handler) operationGet(w http.ResponseWriter, r *http.Request, p *identity.Principal) {
	op, err := h.cfg.Engine.GetOperation(r.Context(), p.ProjectID, r.PathValue("id"))
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"operation": h.operationToWire(op)})
}

// limitParam reads ?limit (default def, at most 1000).
func limitParam(r *http.Request, def int) (int, error) {
	s := r.URL.Query().Get("limit")
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 1000 {
		return 0, engine.Invalid("console.limit", "limit must be an integer from 1 to 1000")
	}
	return n, nil
}

func (h *Handler) operationList(w http.ResponseWriter, r *http.Request, p *identity.Principal) {
	limit, err := limitParam(r, 100)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	q := r.URL.Query()
	ops, err := h.cfg.Engine.ListOperations(r.Context(), &engine.OperationListParams{
		AfterID: q.Get("marker"), Limit: limit, ProjectID: p.ProjectID, State: engine.OperationState(q.Get("state")),
		Type: q.Get("type"), ParentID: q.Get("parent_id"),
	})
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	out := make([]*operationWire, len(ops))
	for i, op := range ops {
		out[i] = h.operationToWire(op)
	}
	writeJSON(w, http.StatusOK, map[string]any{"operations": out})
}

func (h *Handler) operationCancel(w http.ResponseWriter, r *http.Request, p *identity.Principal) {
	op, err := h.cfg.Engine.Cancel(r.Context(), p.ProjectID, r.PathValue("id"))
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]any{"operation": h.operationToWire(op)})
}

type signalRequest struct {
	Data           json.RawMessage `json:"data"`
	IdempotencyKey string          `json:"idempotency_key"`
}

func (h *Handler) operationSignal(w http.ResponseWriter, r *http.Request, p *identity.Principal) {
	op, err := h.cfg.Engine.GetOperation(r.Context(), p.ProjectID, r.PathValue("id"))
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	var req signalRequest
	if err := decode(r, &req); err != nil {
		h.writeError(w, r, err)
		return
	}
	sig, created, err := h.cfg.Engine.Signal(r.Context(), &engine.SignalParams{
		Data: req.Data, IdempotencyKey: req.IdempotencyKey, ProjectID: p.ProjectID, TargetID: op.ID, WakeOperationID: op.ID,
	})
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	status := http.StatusCreated
	if !created {
		status = http.StatusOK
	}
	writeJSON(w, status, map[string]any{"signal": map[string]any{
		"id": sig.ID, "idempotency_key": sig.IdempotencyKey, "target_id": sig.TargetID,
		"created_at": formatTime(sig.CreatedAt), "data": sig.Data,
	}})
}
