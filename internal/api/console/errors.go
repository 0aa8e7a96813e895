package console

import (
	"encoding/json"
	"net/http"

	"github.com/kilnhq/kiln/internal/api/middleware"
	"github.com/kilnhq/kiln/internal/engine"
)

var kindStatus = map[engine.Kind]int{
	engine.KindConflict:        http.StatusConflict,
	engine.KindForbidden:       http.StatusForbidden,
	engine.KindInternal:        http.StatusInternalServerError,
	engine.KindInvalid:         http.StatusBadRequest,
	engine.KindNotFound:        http.StatusNotFound,
	engine.KindQuotaExceeded:   http.StatusRequestEntityTooLarge,
	engine.KindUnauthenticated: http.StatusUnauthorized,
	engine.KindUnavailable:     http.StatusServiceUnavailable,
}

type errorBody struct {
	Error struct {
		Code    int    `json:"code"`
		Kind    string `json:"kind"`
		Message string `json:"message"`
	} `json:"error"`
}

// writeError renders err as the console's error body; the one place that
// maps a Kind to a status here.
func (h *Handler) writeError(w http.ResponseWriter, r *http.Request, err error) {
	kind := engine.KindOf(err)
	status := kindStatus[kind]
	msg := engine.MessageOf(err)
	if kind == engine.KindInternal || msg == "" {
		msg = http.StatusText(status)
	}
	if status >= 500 {
		h.logger.ErrorContext(r.Context(), "console error", "request_id", middleware.RequestIDFrom(r.Context()), "err", err)
	}
	var body errorBody
	body.Error.Code, body.Error.Kind, body.Error.Message = status, kind.String(), msg
	writeJSON(w, status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
