package heat

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/kilnhq/kiln/internal/api/middleware"
	"github.com/kilnhq/kiln/internal/engine"
)

// faultResponse is the body heat-api's FaultWrapper writes for every error
// raised behind authentication (heat/api/middleware/fault.py).
// Field order follows Heat's.
type faultResponse struct {
	Code        int        `json:"code"`
	Title       string     `json:"title"`
	Explanation string     `json:"explanation"`
	Error       faultError `json:"error"`
}

type faultError struct {
	Type      string  `json:"type"`
	Traceback *string `json:"traceback"`
	Message   string  `json:"message"`
}

// authResponse is keystonemiddleware's 401 body: it answers before Heat's
// code runs, so it has Keystone's shape, not Heat's.
type authResponse struct {
	Error authError `json:"error"`
}

type authError struct {
	Code    int    `json:"code"`
	Title   string `json:"title"`
	Message string `json:"message"`
}

// webob's explanations (webob/exc.py); title is http.StatusText.
const (
	explainBadRequest   = "The server could not comply with the request since it is either malformed or otherwise incorrect."
	explainForbidden    = "Access was denied to this resource."
	explainNotFound     = "The resource could not be found."
	explainConflict     = "There was a conflict when trying to complete your request."
	explainInternal     = "The server has either erred or is incapable of performing the requested operation."
	explainUnavailable  = "The server is currently unavailable. Please try again at a later time."
	explainUnauthorized = "This server could not verify that you are authorized to access the document you requested. " +
		"Either you supplied the wrong credentials (e.g., bad password), or your browser does not understand how to " +
		"supply the credentials required."

	msgAuthRequired = "The request you have made requires authentication."
)

// kindFault is how one Kind looks on Heat's wire: the status, the
// exception name written as error.type when the error carries no Code,
// and the message when it carries none (or always, for Internal).
type kindFault struct {
	Status      int
	Type        string
	Explanation string
	Message     string
}

// kindFaults is the one table from engine kinds to Heat faults. Heat maps
// exception classes to webob errors (FaultWrapper.error_map); Kiln's
// domain reports the class name as Code and the kind decides the status.
var kindFaults = map[engine.Kind]kindFault{
	engine.KindInvalid:         {http.StatusBadRequest, "HTTPBadRequest", explainBadRequest, explainBadRequest},
	engine.KindNotFound:        {http.StatusNotFound, "EntityNotFound", explainNotFound, explainNotFound},
	engine.KindConflict:        {http.StatusConflict, "HTTPConflict", explainConflict, explainConflict},
	engine.KindUnauthenticated: {http.StatusUnauthorized, "HTTPUnauthorized", explainUnauthorized, msgAuthRequired},
	engine.KindForbidden:       {http.StatusForbidden, "Forbidden", explainForbidden, explainForbidden},
	engine.KindQuotaExceeded:   {http.StatusBadRequest, "RequestLimitExceeded", explainBadRequest, "Request limit exceeded"},
	engine.KindUnavailable:     {http.StatusServiceUnavailable, "HTTPServiceUnavailable", explainUnavailable, explainUnavailable},
	engine.KindInternal:        {http.StatusInternalServerError, "HTTPInternalServerError", explainInternal, explainInternal},
}

// errMethodNotAllowed is the router's answer to a known path asked with a
// method it does not serve (Heat's DefaultMethodController.reject). webob's
// HTTPMethodNotAllowed has no explanation of its own and inherits the
// client-error one.
var errMethodNotAllowed = &engine.Error{Kind: engine.KindInvalid, Code: "HTTPMethodNotAllowed", Op: "heat.route",
	Msg: explainBadRequest}

// faultOf returns the status and the fault body of err.
func faultOf(err error) (int, *faultResponse) {
	if errors.Is(err, errMethodNotAllowed) {
		return http.StatusMethodNotAllowed, &faultResponse{Code: http.StatusMethodNotAllowed,
			Title: http.StatusText(http.StatusMethodNotAllowed), Explanation: explainBadRequest,
			Error: faultError{Type: errMethodNotAllowed.Code, Message: errMethodNotAllowed.Msg}}
	}
	kind := engine.KindOf(err)
	kf, ok := kindFaults[kind]
	if !ok {
		kind, kf = engine.KindInternal, kindFaults[engine.KindInternal]
	}
	typ, msg := kf.Type, kf.Message
	if kind != engine.KindInternal {
		if c := engine.CodeOf(err); c != "" {
			typ = c
		}
		if m := engine.MessageOf(err); m != "" {
			msg = m
		}
	}
	return kf.Status, &faultResponse{Code: kf.Status, Title: http.StatusText(kf.Status), Explanation: kf.Explanation,
		Error: faultError{Type: typ, Message: msg}}
}

// writeError is the only place an error becomes a response. A 401 has
// keystonemiddleware's body and WWW-Authenticate header (it is answered
// before Heat's code); everything else is Heat's fault body. The whole
// error chain is logged with the request id; the client sees only the
// client-safe message (a generic one for internal errors).
func (h *Handler) writeError(w http.ResponseWriter, r *http.Request, err error) {
	status, fault := faultOf(err)
	level := slog.LevelInfo
	if status >= http.StatusInternalServerError {
		level = slog.LevelError
	}
	h.logger.Log(r.Context(), level, "heat request failed",
		"request_id", middleware.RequestIDFrom(r.Context()),
		"method", r.Method, "path", r.URL.Path, "status", status,
		"kind", engine.KindOf(err).String(), "type", fault.Error.Type, "error", err)
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Keystone uri="`+h.publicURL+`/v3"`)
		writeJSON(w, status, &authResponse{Error: authError{Code: status, Title: http.StatusText(status), Message: msgAuthRequired}})
		return
	}
	writeJSON(w, status, fault)
}

// badRequest is a failure the dialect finds in the request itself; Heat
// raises these as webob HTTPBadRequest, so error.type is HTTPBadRequest.
func badRequest(op, msg string) error {
	return &engine.Error{Kind: engine.KindInvalid, Code: "HTTPBadRequest", Op: op, Msg: msg}
}

// invalidAs is a 400 whose error.type is a Heat exception name other than
// HTTPBadRequest (NotSupported, ValueError, AttributeError, ...).
func invalidAs(op, typ, msg string) error {
	return &engine.Error{Kind: engine.KindInvalid, Code: typ, Op: op, Msg: msg}
}

// errMalformed is the message Heat's wsgi.Resource gives when a handler is
// called without a body it requires (a Python TypeError).
func errMalformed(op string) error { return badRequest(op, explainBadRequest) }

// notFound is a 404 raised by the API layer (webob HTTPNotFound).
func notFound(op, msg string) error {
	return &engine.Error{Kind: engine.KindNotFound, Code: "HTTPNotFound", Op: op, Msg: msg}
}
