// Package console serves Kiln's own JSON API under /api/kiln/v1: the
// engine's operations and events as they are, for the web console, for
// scripts and for tests that need to drive the engine without a dialect.
//
// Requests authenticate with a Keystone token (X-Auth-Token) and act in
// the token's project. Bodies and errors are Kiln's own snake_case JSON:
// errors are {"error":{"code":<status>,"kind":"<kind>","message":"..."}}.
package console

import (
	"log/slog"
	"net/http"

	"github.com/kilnhq/kiln/internal/api/middleware"
	"github.com/kilnhq/kiln/internal/engine"
	"github.com/kilnhq/kiln/internal/identity"
)

// Config wires the console API.
type Config struct {
	Engine    *engine.Engine
	Identity  *identity.Service
	Logger    *slog.Logger
	PublicURL string
}

// Handler serves /api/kiln/v1/.
type Handler struct {
	cfg    Config
	logger *slog.Logger
	mux    *http.ServeMux
	h      http.Handler
}

// New builds the handler.
func New(cfg *Config) *Handler {
	h := &Handler{cfg: *cfg, logger: cfg.Logger, mux: http.NewServeMux()}
	if h.logger == nil {
		h.logger = slog.New(slog.DiscardHandler)
	}
	h.mux.HandleFunc("GET /api/kiln/v1/events", h.authed(identity.ActionOperationGet, h.eventList))
	h.mux.HandleFunc("GET /api/kiln/v1/operations", h.authed(identity.ActionOperationGet, h.operationList))
	h.mux.HandleFunc("POST /api/kiln/v1/operations", h.authed(identity.ActionOperationCreate, h.operationCreate))
	h.mux.HandleFunc("GET /api/kiln/v1/operations/{id}", h.authed(identity.ActionOperationGet, h.operationGet))
	h.mux.HandleFunc("POST /api/kiln/v1/operations/{id}/cancel", h.authed(identity.ActionOperationCancel, h.operationCancel))
	h.mux.HandleFunc("POST /api/kiln/v1/operations/{id}/signals", h.authed(identity.ActionOperationSignal, h.operationSignal))
	h.mux.HandleFunc("/api/kiln/", func(w http.ResponseWriter, r *http.Request) {
		h.writeError(w, r, engine.NotFound("console.route", "path", r.URL.Path))
	})
	h.h = middleware.Recover(h.logger, h.mux, func(w http.ResponseWriter, r *http.Request) {
		h.writeError(w, r, &engine.Error{Kind: engine.KindInternal, Op: "console.panic"})
	})
	return h
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.h.ServeHTTP(w, r) }

type principalHandler func(w http.ResponseWriter, r *http.Request, p *identity.Principal)

// authed authenticates the token and checks the action in the token's
// project before calling next.
func (h *Handler) authed(action identity.Action, next principalHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tok := r.Header.Get("X-Auth-Token")
		if tok == "" {
			h.writeError(w, r, engine.Unauthenticated("console.auth", "authentication required: send X-Auth-Token"))
			return
		}
		p, err := h.cfg.Identity.Authenticate(r.Context(), tok)
		if err != nil {
			h.writeError(w, r, err)
			return
		}
		if err := identity.Authorize(p, action, p.ProjectID); err != nil {
			h.writeError(w, r, err)
			return
		}
		next(w, r, p)
	}
}
