package keystone

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/kilnhq/kiln/internal/api/middleware"
	"github.com/kilnhq/kiln/internal/engine"
)

// errorResponse is Keystone's error body.
type errorResponse struct {
	Error errorWire `json:"error"`
}

type errorWire struct {
	Code    int    `json:"code"`
	Title   string `json:"title"`
	Message string `json:"message"`
}

// kindStatus is how each Kind looks on Keystone's wire. Message is the text
// used when the error carries none, or always when UseMsg is false:
// Keystone's security errors (401, 500) never explain themselves.
type kindStatus struct {
	Status  int
	Title   string
	Message string
	UseMsg  bool
}

const (
	msgUnauthorized = "The request you have made requires authentication."
	msgForbidden    = "You are not authorized to perform the requested action."
	msgNotFound     = "The resource could not be found."
	msgInternal     = "An unexpected error prevented the server from fulfilling your request."
	msgUnavailable  = "The service is temporarily unavailable; retry the request."
	msgBadRequest   = "The request could not be understood by the server due to malformed syntax."
)

var kindStatuses = map[engine.Kind]kindStatus{
	engine.KindInvalid:         {http.StatusBadRequest, "Bad Request", msgBadRequest, true},
	engine.KindNotFound:        {http.StatusNotFound, "Not Found", msgNotFound, true},
	engine.KindConflict:        {http.StatusConflict, "Conflict", "Conflict occurred attempting to store the resource.", true},
	engine.KindUnauthenticated: {http.StatusUnauthorized, "Unauthorized", msgUnauthorized, false},
	engine.KindForbidden:       {http.StatusForbidden, "Forbidden", msgForbidden, true},
	engine.KindQuotaExceeded:   {http.StatusForbidden, "Forbidden", msgForbidden, true},
	engine.KindUnavailable:     {http.StatusServiceUnavailable, "Service Unavailable", msgUnavailable, false},
	engine.KindInternal:        {http.StatusInternalServerError, "Internal Server Error", msgInternal, false},
}

// errMethodNotAllowed is the one wire-only failure: a known path asked
// with a method it does not serve.
var errMethodNotAllowed = &engine.Error{Kind: engine.KindInvalid, Op: "keystone.route",
	Msg: "The method is not allowed for the requested URL."}

// statusOf returns the wire status of err and the message to show.
func statusOf(err error) (kindStatus, string) {
	if errors.Is(err, errMethodNotAllowed) {
		return kindStatus{Status: http.StatusMethodNotAllowed, Title: "Method Not Allowed"}, errMethodNotAllowed.Msg
	}
	ks, ok := kindStatuses[engine.KindOf(err)]
	if !ok {
		ks = kindStatuses[engine.KindInternal]
	}
	if !ks.UseMsg {
		return ks, ks.Message
	}
	var e *engine.Error
	if errors.As(err, &e) && e.Kind == engine.KindNotFound && e.Resource != "" && e.ID != "" {
		return ks, fmt.Sprintf("Could not find %s: %s.", e.Resource, e.ID)
	}
	if msg := engine.MessageOf(err); msg != "" {
		return ks, msg
	}
	return ks, ks.Message
}

// writeError is the only place an error becomes a response: it maps the
// error's Kind to Keystone's status, title and message, adds
// WWW-Authenticate to a 401 as Keystone does, and logs the whole chain with
// the request id.
func (h *Handler) writeError(w http.ResponseWriter, r *http.Request, err error) {
	ks, msg := statusOf(err)
	level := slog.LevelInfo
	if ks.Status >= http.StatusInternalServerError {
		level = slog.LevelError
	}
	h.logger.Log(r.Context(), level, "keystone request failed",
		"request_id", middleware.RequestIDFrom(r.Context()),
		"method", r.Method, "path", r.URL.Path, "status", ks.Status,
		"kind", engine.KindOf(err).String(), "error", err)
	if ks.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Keystone uri="`+h.publicURL+`/v3"`)
	}
	writeJSON(w, r, ks.Status, &errorResponse{Error: errorWire{Code: ks.Status, Title: ks.Title, Message: msg}})
}
