// Package keystone serves the subset of the OpenStack Identity (Keystone) v3
// API that clients need to talk to Kiln's OpenStack-style dialects: version
// discovery, password and token authentication (POST /v3/auth/tokens),
// token validation and revocation, the projects a token may scope to and
// the service catalog that points the orchestration client at Kiln's Heat
// endpoint.
//
// # Wire
//
// Bodies, headers and status codes follow a real Keystone (Zed): 201 with
// X-Subject-Token on issue, the token body with user, project, roles,
// audit ids and catalog, Keystone's error body
// {"error":{"code","title","message"}}, the generic 401 message with a
// WWW-Authenticate header, Keystone's validation messages for malformed
// requests, 401 for an unknown project in a scoped request (Keystone never
// says whether a project exists) and 404 "Failed to validate token" for a
// subject token that is unknown, expired or revoked. Every response carries
// Vary: X-Auth-Token. testdata/ pins each body.
//
// # Catalog
//
// The catalog has two services, identity ("keystone", <public>/v3/) and
// orchestration ("heat", <public>/v1/<project id>), each with a public, an
// internal and an admin endpoint in Config.Region. Service and endpoint ids
// are derived from the service type and interface, so they are the same on
// every node and every call.
//
// The package only translates: identity.Service decides who is
// authenticated and what they may do. It never imports the store.
package keystone

import (
	"log/slog"
	"net/http"
	"strings"

	"github.com/kilnhq/kiln/internal/api/middleware"
	"github.com/kilnhq/kiln/internal/engine"
	"github.com/kilnhq/kiln/internal/identity"
)

// DefaultRegion is the region of the catalog endpoints when Config.Region
// is empty.
const DefaultRegion = "local"

// Config configures a Handler.
type Config struct {
	// Identity authenticates and authorizes. Required.
	Identity *identity.Service

	// Logger receives one line per failed request. Nil discards.
	Logger *slog.Logger

	// PublicURL is the base URL clients reach Kiln at, e.g.
	// "http://127.0.0.1:8004"; written into links and the catalog. A
	// trailing slash is removed. Required.
	PublicURL string

	// Region names the catalog's region. Empty means DefaultRegion.
	Region string
}

// Handler serves /v3 and everything below it. It expects full request
// paths (mount it at "/v3" and "/v3/" without stripping the prefix).
type Handler struct {
	identity  *identity.Service
	logger    *slog.Logger
	publicURL string
	region    string
	next      http.Handler
}

// allowedMethods lists the methods of each known path, for 405 answers.
var allowedMethods = map[string]string{
	"/v3":               "GET, HEAD",
	"/v3/":              "GET, HEAD",
	"/v3/auth/catalog":  "GET, HEAD",
	"/v3/auth/projects": "GET, HEAD",
	"/v3/auth/tokens":   "DELETE, GET, HEAD, POST",
}

// New returns a Handler. It panics when cfg lacks Identity or PublicURL (a
// wiring bug).
func New(cfg *Config) *Handler {
	if cfg == nil || cfg.Identity == nil || cfg.PublicURL == "" {
		panic("keystone.New: Config.Identity and Config.PublicURL are required")
	}
	h := &Handler{
		identity:  cfg.Identity,
		logger:    cfg.Logger,
		publicURL: strings.TrimRight(cfg.PublicURL, "/"),
		region:    cfg.Region,
	}
	if h.logger == nil {
		h.logger = slog.New(slog.DiscardHandler)
	}
	if h.region == "" {
		h.region = DefaultRegion
	}

	mux := http.NewServeMux()
	// GET patterns also match HEAD.
	mux.HandleFunc("GET /v3", h.getVersion)
	mux.HandleFunc("GET /v3/{$}", h.getVersion)
	mux.HandleFunc("GET /v3/auth/catalog", h.getCatalog)
	mux.HandleFunc("GET /v3/auth/projects", h.listProjects)
	mux.HandleFunc("DELETE /v3/auth/tokens", h.revokeToken)
	mux.HandleFunc("GET /v3/auth/tokens", h.validateToken)
	mux.HandleFunc("POST /v3/auth/tokens", h.issueToken)
	mux.HandleFunc("/", h.unrouted)

	h.next = middleware.Recover(h.logger, mux, func(w http.ResponseWriter, r *http.Request) {
		h.writeError(w, r, &engine.Error{Kind: engine.KindInternal, Op: "keystone.panic"})
	})
	return h
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// Keystone varies every answer on the token (its after_request hook).
	w.Header().Set("Vary", "X-Auth-Token")
	h.next.ServeHTTP(w, r)
}

// unrouted answers paths and methods no route matched: 405 with Allow on a
// known path, else 404.
func (h *Handler) unrouted(w http.ResponseWriter, r *http.Request) {
	if allow, ok := allowedMethods[r.URL.Path]; ok {
		w.Header().Set("Allow", allow)
		h.writeError(w, r, errMethodNotAllowed)
		return
	}
	h.writeError(w, r, &engine.Error{Kind: engine.KindNotFound, Op: "keystone.route",
		Msg: "The resource could not be found."})
}
