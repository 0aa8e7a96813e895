package heat

import (
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/kilnhq/kiln/internal/api/middleware"
	"github.com/kilnhq/kiln/internal/engine"
	"github.com/kilnhq/kiln/internal/identity"
	"github.com/kilnhq/kiln/internal/stacks"
)

// Config configures a Handler.
type Config struct {
	// EnableExport answers GET .../export with the stack's export data
	// (Heat's enable_stack_abandon, for export only: abandon stays off).
	// Default false, as Heat: 400 "Stack Abandon is not supported.".
	EnableExport bool

	// Identity authenticates X-Auth-Token and decides policy. Required.
	Identity *identity.Service

	// Logger receives one line per failed request. Nil discards.
	Logger *slog.Logger

	// PublicURL is the base URL clients reach Kiln at, e.g.
	// "http://127.0.0.1:8004"; every link and Location is built from it. A
	// trailing slash is removed. Required.
	PublicURL string

	// Revision is what GET /build_info reports for the API and the engine.
	// Empty means the module's VCS revision, or "unknown" as Heat says by
	// default.
	Revision string

	// Stacks is the orchestration domain. Required.
	Stacks stacks.API
}

// Handler serves Heat's orchestration API v1 under /v1/{project_id}/ and
// Heat's version document at / and /versions. It expects full request
// paths; mount it on the patterns Patterns returns.
type Handler struct {
	enableExport bool
	identity     *identity.Service
	links        links
	logger       *slog.Logger
	publicURL    string
	revision     string
	stacks       stacks.API
	next         http.Handler
}

// New returns a Handler. It panics when cfg lacks Identity, Stacks or
// PublicURL (a wiring bug).
func New(cfg *Config) *Handler {
	if cfg == nil || cfg.Identity == nil || cfg.Stacks == nil || cfg.PublicURL == "" {
		panic("heat.New: Config.Identity, Config.Stacks and Config.PublicURL are required")
	}
	h := &Handler{
		enableExport: cfg.EnableExport,
		identity:     cfg.Identity,
		logger:       cfg.Logger,
		publicURL:    strings.TrimRight(cfg.PublicURL, "/"),
		revision:     cfg.Revision,
		stacks:       cfg.Stacks,
	}
	h.links = links{base: h.publicURL}
	if h.logger == nil {
		h.logger = slog.New(slog.DiscardHandler)
	}
	if h.revision == "" {
		h.revision = buildRevision()
	}
	h.next = middleware.Recover(h.logger, http.HandlerFunc(h.route), func(w http.ResponseWriter, r *http.Request) {
		h.writeError(w, r, &engine.Error{Kind: engine.KindInternal, Op: "heat.panic"})
	})
	return h
}

func buildRevision() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && s.Value != "" {
				return s.Value
			}
		}
	}
	return "unknown"
}

// Patterns lists the net/http.ServeMux patterns the Handler serves: the
// version document and every /v1/{project_id}/ prefix Heat owns.
func Patterns() []string {
	return []string{
		"GET /{$}",
		"GET /versions",
		"/v1/{project_id}/build_info",
		"/v1/{project_id}/resource_types",
		"/v1/{project_id}/resource_types/",
		"/v1/{project_id}/software_configs",
		"/v1/{project_id}/software_configs/",
		"/v1/{project_id}/software_deployments",
		"/v1/{project_id}/software_deployments/",
		"/v1/{project_id}/stacks",
		"/v1/{project_id}/stacks/",
		"/v1/{project_id}/template_versions",
		"/v1/{project_id}/template_versions/",
		"/v1/{project_id}/validate",
	}
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.next.ServeHTTP(w, r) }

// handlerFunc serves one matched route. A returned error is written by
// writeError; a handler writes only successes.
type handlerFunc func(h *Handler, w http.ResponseWriter, c *call) error

// route is one of Heat's routes (heat/api/openstack/v1/__init__.py): a
// URL template relative to /v1/{tenant_id}, a method, and the policy
// checked before the handler runs. policy "" means the handler checks
// (stack actions validate their body first).
type route struct {
	url    string
	method string
	policy string
	action identity.Action
	handle handlerFunc

	segs []segment
}

// segment is one part of a URL template: a literal, a variable, a
// variable restricted to some values, or (Heat's ARN route) a variable
// taking the rest of the path when it starts with a prefix.
type segment struct {
	lit    string
	name   string
	alts   []string
	prefix string
}

func parseTemplate(url string) []segment {
	var segs []segment
	for _, part := range strings.Split(strings.TrimPrefix(url, "/"), "/") {
		if !strings.HasPrefix(part, "{") {
			segs = append(segs, segment{lit: part})
			continue
		}
		name, re, _ := strings.Cut(strings.Trim(part, "{}"), ":")
		switch {
		case re == "":
			segs = append(segs, segment{name: name})
		case strings.HasSuffix(re, ".*"):
			segs = append(segs, segment{name: name, prefix: strings.TrimSuffix(re, ".*")})
		default:
			segs = append(segs, segment{name: name, alts: strings.Split(re, "|")})
		}
	}
	return segs
}

// match matches path segments against a template and returns the
// variables. It allocates only on a match: every request tries many
// templates.
func match(segs []segment, parts []string) (map[string]string, bool) {
	if !matches(segs, parts) {
		return nil, false
	}
	vars := make(map[string]string, len(segs))
	for i, s := range segs {
		if s.prefix != "" {
			vars[s.name] = strings.Join(parts[i:], "/")
			break
		}
		if s.name != "" {
			vars[s.name] = parts[i]
		}
	}
	return vars, true
}

// matches reports whether parts match the template segs.
func matches(segs []segment, parts []string) bool {
	for i, s := range segs {
		if s.prefix != "" {
			return i < len(parts) && strings.HasPrefix(strings.Join(parts[i:], "/"), s.prefix)
		}
		if i >= len(parts) || parts[i] == "" {
			return false
		}
		switch {
		case s.name == "" && parts[i] != s.lit:
			return false
		case s.alts != nil && !slices.Contains(s.alts, parts[i]):
			return false
		}
	}
	return len(parts) == len(segs)
}

// controllers are Heat's route groups in registration order. Routes
// matches in order: a controller's real routes, then its 405/OPTIONS
// routes, then the next controller's, so a URL of a later controller can
// be shadowed by an earlier one (PUT /stacks/{name}/events updates a stack
// whose id is "events", as in Heat).
var controllers = [][]*route{
	{ // stacks
		{url: "/validate", method: "POST", policy: "stacks:validate_template", action: identity.ActionTemplateValidate, handle: (*Handler).validate},
		{url: "/resource_types", method: "GET", policy: "stacks:list_resource_types", action: identity.ActionResourceTypeList, handle: (*Handler).resourceTypeList},
		{url: "/resource_types/{type_name}", method: "GET", policy: "stacks:resource_schema", action: identity.ActionResourceTypeList, handle: (*Handler).resourceTypeShow},
		{url: "/resource_types/{type_name}/template", method: "GET", policy: "stacks:generate_template", action: identity.ActionResourceTypeList, handle: (*Handler).resourceTypeTemplate},
		{url: "/template_versions", method: "GET", policy: "stacks:list_template_versions", action: identity.ActionResourceTypeList, handle: (*Handler).templateVersionList},
		{url: "/template_versions/{template_version}/functions", method: "GET", policy: "stacks:list_template_functions", action: identity.ActionResourceTypeList, handle: (*Handler).templateFunctionList},
		{url: "/stacks", method: "GET", policy: "stacks:index", action: identity.ActionStackList, handle: (*Handler).stackList},
		{url: "/stacks", method: "POST", policy: "stacks:create", action: identity.ActionStackCreate, handle: (*Handler).stackCreate},
		{url: "/stacks/preview", method: "POST", policy: "stacks:preview", action: identity.ActionStackPreview, handle: (*Handler).stackPreview},
		{url: "/stacks/detail", method: "GET", policy: "stacks:detail", action: identity.ActionStackList, handle: (*Handler).stackDetail},
		{url: "/stacks/{stack_name}", method: "GET", policy: "stacks:lookup", action: identity.ActionStackGet, handle: (*Handler).stackLookup},
		{url: "/stacks/{stack_name}", method: "POST", policy: "stacks:lookup", action: identity.ActionStackGet, handle: (*Handler).stackLookup},
		{url: "/stacks/{stack_name}", method: "PUT", policy: "stacks:lookup", action: identity.ActionStackGet, handle: (*Handler).stackLookup},
		{url: "/stacks/{stack_name}", method: "PATCH", policy: "stacks:lookup", action: identity.ActionStackGet, handle: (*Handler).stackLookup},
		{url: "/stacks/{stack_name}", method: "DELETE", policy: "stacks:lookup", action: identity.ActionStackGet, handle: (*Handler).stackLookup},
		{url: "/stacks/{stack_name:arn:.*}", method: "GET", policy: "stacks:lookup", action: identity.ActionStackGet, handle: (*Handler).stackLookup},
		{url: "/stacks/{stack_name:arn:.*}", method: "POST", policy: "stacks:lookup", action: identity.ActionStackGet, handle: (*Handler).stackLookup},
		{url: "/stacks/{stack_name:arn:.*}", method: "PUT", policy: "stacks:lookup", action: identity.ActionStackGet, handle: (*Handler).stackLookup},
		{url: "/stacks/{stack_name:arn:.*}", method: "PATCH", policy: "stacks:lookup", action: identity.ActionStackGet, handle: (*Handler).stackLookup},
		{url: "/stacks/{stack_name:arn:.*}", method: "DELETE", policy: "stacks:lookup", action: identity.ActionStackGet, handle: (*Handler).stackLookup},
		// Heat's lookup sub-paths lack outputs; Kiln adds it so that
		// .../stacks/{name}/outputs redirects like the others.
		{url: "/stacks/{stack_name}/{path:resources|events|template|actions|environment|files|outputs}", method: "GET", policy: "stacks:lookup", action: identity.ActionStackGet, handle: (*Handler).stackLookup},
		{url: "/stacks/{stack_name}/{path:resources|events|template|actions}", method: "POST", policy: "stacks:lookup", action: identity.ActionStackGet, handle: (*Handler).stackLookup},
		{url: "/stacks/{stack_name}/{stack_id}", method: "GET", policy: "stacks:show", action: identity.ActionStackGet, handle: (*Handler).stackShow},
		{url: "/stacks/{stack_name}/{stack_id}/template", method: "GET", policy: "stacks:template", action: identity.ActionStackGet, handle: (*Handler).stackTemplate},
		{url: "/stacks/{stack_name}/{stack_id}/environment", method: "GET", policy: "stacks:environment", action: identity.ActionStackGet, handle: (*Handler).stackEnvironment},
		{url: "/stacks/{stack_name}/{stack_id}/files", method: "GET", policy: "stacks:files", action: identity.ActionStackGet, handle: (*Handler).stackFiles},
		{url: "/stacks/{stack_name}/{stack_id}", method: "PUT", policy: "stacks:update", action: identity.ActionStackUpdate, handle: (*Handler).stackUpdate},
		{url: "/stacks/{stack_name}/{stack_id}", method: "PATCH", policy: "stacks:update_patch", action: identity.ActionStackUpdate, handle: (*Handler).stackUpdatePatch},
		{url: "/stacks/{stack_name}/{stack_id}/preview", method: "PUT", policy: "stacks:preview_update", action: identity.ActionStackPreview, handle: (*Handler).stackPreviewUpdate},
		{url: "/stacks/{stack_name}/{stack_id}/preview", method: "PATCH", policy: "stacks:preview_update_patch", action: identity.ActionStackPreview, handle: (*Handler).stackPreviewUpdate},
		{url: "/stacks/{stack_name}/{stack_id}", method: "DELETE", policy: "stacks:delete", action: identity.ActionStackDelete, handle: (*Handler).stackDelete},
		{url: "/stacks/{stack_name}/{stack_id}/abandon", method: "DELETE", policy: "stacks:abandon", action: identity.ActionStackDelete, handle: (*Handler).stackAbandon},
		{url: "/stacks/{stack_name}/{stack_id}/export", method: "GET", policy: "stacks:export", action: identity.ActionStackGet, handle: (*Handler).stackExport},
		{url: "/stacks/{stack_name}/{stack_id}/snapshots", method: "POST", policy: "stacks:snapshot", action: identity.ActionStackUpdate, handle: (*Handler).snapshotCreate},
		{url: "/stacks/{stack_name}/{stack_id}/snapshots/{snapshot_id}", method: "GET", policy: "stacks:show_snapshot", action: identity.ActionStackGet, handle: (*Handler).snapshotShow},
		{url: "/stacks/{stack_name}/{stack_id}/snapshots/{snapshot_id}", method: "DELETE", policy: "stacks:delete_snapshot", action: identity.ActionStackUpdate, handle: (*Handler).snapshotDelete},
		{url: "/stacks/{stack_name}/{stack_id}/snapshots", method: "GET", policy: "stacks:list_snapshots", action: identity.ActionStackGet, handle: (*Handler).snapshotList},
		{url: "/stacks/{stack_name}/{stack_id}/snapshots/{snapshot_id}/restore", method: "POST", policy: "stacks:restore_snapshot", action: identity.ActionStackUpdate, handle: (*Handler).snapshotRestore},
		{url: "/stacks/{stack_name}/{stack_id}/outputs", method: "GET", policy: "stacks:list_outputs", action: identity.ActionStackGet, handle: (*Handler).outputList},
		{url: "/stacks/{stack_name}/{stack_id}/outputs/{output_key}", method: "GET", policy: "stacks:show_output", action: identity.ActionStackGet, handle: (*Handler).outputShow},
	},
	{ // resources
		{url: "/stacks/{stack_name}/{stack_id}/resources", method: "GET", policy: "resource:index", action: identity.ActionResourceList, handle: (*Handler).resourceList},
		{url: "/stacks/{stack_name}/{stack_id}/resources/{resource_name}", method: "GET", policy: "resource:show", action: identity.ActionResourceGet, handle: (*Handler).resourceShow},
		{url: "/stacks/{stack_name}/{stack_id}/resources/{resource_name}/metadata", method: "GET", policy: "resource:metadata", action: identity.ActionResourceGet, handle: (*Handler).resourceMetadata},
		{url: "/stacks/{stack_name}/{stack_id}/resources/{resource_name}/signal", method: "POST", policy: "resource:signal", action: identity.ActionResourceSignal, handle: (*Handler).resourceSignal},
		{url: "/stacks/{stack_name}/{stack_id}/resources/{resource_name}", method: "PATCH", policy: "resource:mark_unhealthy", action: identity.ActionResourceUpdate, handle: (*Handler).resourceMarkUnhealthy},
	},
	{ // events
		{url: "/stacks/{stack_name}/{stack_id}/events", method: "GET", policy: "events:index", action: identity.ActionEventList, handle: (*Handler).eventList},
		{url: "/stacks/{stack_name}/{stack_id}/resources/{resource_name}/events", method: "GET", policy: "events:index", action: identity.ActionEventList, handle: (*Handler).eventList},
		{url: "/stacks/{stack_name}/{stack_id}/resources/{resource_name}/events/{event_id}", method: "GET", policy: "events:show", action: identity.ActionEventGet, handle: (*Handler).eventShow},
	},
	{ // actions
		{url: "/stacks/{stack_name}/{stack_id}/actions", method: "POST", handle: (*Handler).stackAction},
	},
	{ // build info
		{url: "/build_info", method: "GET", policy: "build_info:build_info", action: identity.ActionStackList, handle: (*Handler).buildInfo},
	},
	{ // software configs (read and write as stacks are)
		{url: "/software_configs", method: "GET", policy: "software_configs:index", action: identity.ActionStackList, handle: (*Handler).softwareConfigList},
		{url: "/software_configs", method: "POST", policy: "software_configs:create", action: identity.ActionStackCreate, handle: (*Handler).softwareConfigCreate},
		{url: "/software_configs/{config_id}", method: "GET", policy: "software_configs:show", action: identity.ActionStackGet, handle: (*Handler).softwareConfigShow},
		{url: "/software_configs/{config_id}", method: "DELETE", policy: "software_configs:delete", action: identity.ActionStackDelete, handle: (*Handler).softwareConfigDelete},
	},
	{ // software deployments
		{url: "/software_deployments", method: "GET", policy: "software_deployments:index", action: identity.ActionStackList, handle: (*Handler).softwareDeploymentList},
		{url: "/software_deployments", method: "POST", policy: "software_deployments:create", action: identity.ActionStackCreate, handle: (*Handler).softwareDeploymentCreate},
		{url: "/software_deployments/metadata/{server_id}", method: "GET", policy: "software_deployments:metadata", action: identity.ActionStackGet, handle: (*Handler).softwareDeploymentMetadata},
		{url: "/software_deployments/{deployment_id}", method: "GET", policy: "software_deployments:show", action: identity.ActionStackGet, handle: (*Handler).softwareDeploymentShow},
		{url: "/software_deployments/{deployment_id}", method: "PUT", policy: "software_deployments:update", action: identity.ActionStackUpdate, handle: (*Handler).softwareDeploymentUpdate},
		{url: "/software_deployments/{deployment_id}", method: "DELETE", policy: "software_deployments:delete", action: identity.ActionStackDelete, handle: (*Handler).softwareDeploymentDelete},
	},
}

// urlGroup is one URL template of a controller with the methods its
// routes serve, in registration order (Heat's Allow header).
type urlGroup struct {
	segs  []segment
	allow string
}

// controllerURLs are each controller's URL groups, in registration order.
var controllerURLs = urlGroups(controllers)

// rejectMethods are the methods Heat answers 405 for when a URL lacks
// them; others (besides OPTIONS) are not routed at all.
var rejectMethods = []string{"HEAD", "GET", "POST", "PUT", "PATCH", "DELETE"}

// urlGroups parses the routes' templates and groups them by URL.
func urlGroups(controllers [][]*route) [][]urlGroup {
	var out [][]urlGroup
	for _, routes := range controllers {
		var groups []urlGroup
		index := map[string]int{}
		for _, rt := range routes {
			rt.segs = parseTemplate(rt.url)
			i, ok := index[rt.url]
			if !ok {
				i = len(groups)
				index[rt.url] = i
				groups = append(groups, urlGroup{segs: rt.segs})
			}
			if groups[i].allow != "" {
				groups[i].allow += ","
			}
			groups[i].allow += rt.method
		}
		out = append(out, groups)
	}
	return out
}

// call is one request matched to a route.
type call struct {
	body *requestBody
	// pathProject is the project named in the path; project is the one
	// the request acts in (the token's).
	pathProject string
	project     string
	principal   *identity.Principal
	q           query
	r           *http.Request
	vars        map[string]string
}

// ref is the stack named by the path.
func (c *call) ref() stacks.StackRef {
	return stacks.StackRef{ID: c.vars["stack_id"], Name: c.vars["stack_name"], ProjectID: c.project}
}

func (c *call) caller() stacks.Caller {
	return stacks.Caller{ProjectID: c.project, UserID: c.principal.UserID, UserName: c.principal.UserName}
}

// admin is Heat's context.is_admin: the admin role.
func (c *call) admin() bool { return c.principal.HasRole(identity.RoleAdmin) }

// route dispatches a request as heat-api's pipeline does: the version
// document without authentication; then keystonemiddleware (401), the
// router (404, 405, OPTIONS), the body deserializer (400), the tenant and
// policy check (403) and the handler.
func (h *Handler) route(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/" || r.URL.Path == "/versions" {
		h.versions(w, r)
		return
	}
	const op = "heat.route"
	tok := r.Header.Get("X-Auth-Token")
	if tok == "" {
		h.writeError(w, r, engine.Unauthenticated("heat.auth", "no X-Auth-Token"))
		return
	}
	p, err := h.identity.Authenticate(r.Context(), tok)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/"), "/")
	if len(parts) < 3 || parts[0] != "v1" || parts[1] == "" {
		h.writeError(w, r, notFound(op, explainNotFound))
		return
	}
	c := &call{pathProject: parts[1], project: parts[1], principal: p, q: parseQuery(r.URL.RawQuery), r: r}
	if c.admin() && p.ProjectID != "" {
		// Heat lets an admin through whatever tenant the path names and
		// acts in the token's project.
		c.project = p.ProjectID
	}
	rt, vars, allow := findRoute(r.Method, parts[2:])
	switch {
	case rt == nil && allow != "" && r.Method == http.MethodOptions:
		w.Header().Set("Allow", allow)
		w.WriteHeader(http.StatusNoContent)
		return
	case rt == nil && allow != "":
		w.Header().Set("Allow", allow)
		h.writeError(w, r, errMethodNotAllowed)
		return
	case rt == nil:
		h.writeError(w, r, notFound(op, explainNotFound))
		return
	}
	c.vars = vars
	if c.body, err = readBody(r, c.q); err != nil {
		h.writeError(w, r, err)
		return
	}
	if rt.policy != "" {
		if err := h.authorize(c, rt.policy, rt.action); err != nil {
			h.writeError(w, r, err)
			return
		}
	}
	if err := rt.handle(h, w, c); err != nil {
		h.writeError(w, r, err)
	}
}

// findRoute matches parts (the path after /v1/{tenant_id}) as Routes does.
// With no route it returns the Allow list of the first URL that matches
// the path, for a 405 or an OPTIONS answer.
func findRoute(method string, parts []string) (*route, map[string]string, string) {
	for i, routes := range controllers {
		for _, rt := range routes {
			if rt.method != method {
				continue
			}
			if vars, ok := match(rt.segs, parts); ok {
				return rt, vars, ""
			}
		}
		if method != http.MethodOptions && !slices.Contains(rejectMethods, method) {
			continue
		}
		for _, g := range controllerURLs[i] {
			if _, ok := match(g.segs, parts); ok {
				return nil, nil, g.allow
			}
		}
	}
	return nil, nil, ""
}

// authorize is Heat's registered_policy_enforce: the path's tenant must be
// the token's project (an admin passes), then the policy decides.
func (h *Handler) authorize(c *call, policy string, action identity.Action) error {
	if !c.admin() && c.pathProject != c.principal.ProjectID {
		return &engine.Error{Kind: engine.KindForbidden, Code: "HTTPForbidden", Op: "heat.tenant",
			Msg: explainForbidden, Err: fmt.Errorf("path project %q, token project %q", c.pathProject, c.principal.ProjectID)}
	}
	if err := identity.Authorize(c.principal, action, c.project); err != nil {
		if engine.KindOf(err) != engine.KindForbidden {
			return err
		}
		return &engine.Error{Kind: engine.KindForbidden, Code: "Forbidden", Op: "heat.policy",
			Msg: fmt.Sprintf("You are not authorized to use %s.", policy), Err: err}
	}
	return nil
}
