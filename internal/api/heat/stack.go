package heat

import (
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/kilnhq/kiln/internal/engine"
	"github.com/kilnhq/kiln/internal/identity"
	"github.com/kilnhq/kiln/internal/stacks"
)

// stackListFilters are the filter parameters of GET /stacks Heat accepts
// (rpc_api.STACK_KEYS less the unsupported ones, plus the older names),
// each with the domain filter it feeds: id, name, action and status, or
// a column of ListParams.Columns.
var stackListFilters = [][2]string{
	{"action", "action"}, {"disable_rollback", "disable_rollback"}, {"id", "id"}, {"name", "name"},
	{"owner_id", "owner_id"}, {"parent", "owner_id"}, {"stack_action", "action"}, {"stack_name", "name"},
	{"stack_owner", "username"}, {"stack_status", "status"}, {"stack_status_reason", "status_reason"},
	{"stack_user_project_id", "stack_user_project_id"}, {"status", "status"}, {"tenant", "tenant"},
	{"timeout_mins", "timeout_mins"}, {"username", "username"},
}

// heatStatuses are the status parts of ACTION_STATUS.
var heatStatuses = []string{"COMPLETE", "FAILED", "IN_PROGRESS"}

// splitStatuses is heat.engine.api._parse_object_status: "CREATE_FAILED"
// filters on action CREATE and status FAILED; a value naming no known
// status matches nothing.
func splitStatuses(values []string) (actions, statuses []string) {
	for _, v := range values {
		found := false
		for _, s := range heatStatuses {
			if i := strings.LastIndex(v, s); i >= 0 {
				found = true
				statuses = appendNew(statuses, v[i:])
				if i > 1 {
					actions = appendNew(actions, v[:i-1])
				}
			}
		}
		if !found {
			statuses = appendNew(statuses, v) // matches no stack, as Heat's empty IN ()
		}
	}
	return actions, statuses
}

func appendNew(list []string, v string) []string {
	for _, x := range list {
		if x == v {
			return list
		}
	}
	return append(list, v)
}

// stackListParams reads GET /stacks's query as Heat's _index does, in its
// order of checks.
func stackListParams(c *call) (*stacks.ListParams, bool, error) {
	q := c.q
	p := &stacks.ListParams{ProjectID: c.project}
	for _, f := range []struct {
		name string
		dst  *bool
	}{{"show_deleted", &p.ShowDeleted}, {"show_nested", &p.ShowNested}} {
		if v, ok := q.single(f.name); ok {
			b, err := extractBool(f.name, v)
			if err != nil {
				return nil, false, err
			}
			*f.dst = b
		}
	}
	if v, ok := q.single("limit"); ok {
		n, err := extractInt("limit", v, true, false)
		if err != nil {
			return nil, false, err
		}
		p.Limit = n
	}
	if v, ok := q.single("show_hidden"); ok {
		b, err := extractBool("show_hidden", v)
		if err != nil {
			return nil, false, err
		}
		p.ShowHidden = b
	}
	for _, f := range []struct {
		name string
		dst  *[]string
	}{{"tags", &p.Tags}, {"tags_any", &p.TagsAny}, {"not_tags", &p.NotTags}, {"not_tags_any", &p.NotTagsAny}} {
		if v, ok := q.single(f.name); ok {
			tags, err := splitTags(v)
			if err != nil {
				return nil, false, err
			}
			*f.dst = tags
		}
	}
	withCount := false
	if v, _ := q.get("with_count"); v != "" {
		b, err := extractBool("with_count", v)
		if err != nil {
			return nil, false, err
		}
		withCount = b
	}
	p.Marker, _ = q.single("marker")
	p.SortDir, _ = q.single("sort_dir")
	p.SortKeys = q.getAll("sort_keys")
	var statuses []string
	for _, f := range stackListFilters {
		vals := q.mixed(f[0])
		switch f[1] {
		case "id":
			p.IDs = append(p.IDs, vals...)
		case "name":
			p.Names = append(p.Names, vals...)
		case "action":
			p.Actions = append(p.Actions, vals...)
		case "status":
			statuses = append(statuses, vals...)
		default:
			if len(vals) > 0 {
				if p.Columns == nil {
					p.Columns = map[string][]string{}
				}
				p.Columns[f[1]] = append(p.Columns[f[1]], vals...)
			}
		}
	}
	if len(statuses) > 0 {
		actions, sts := splitStatuses(statuses)
		p.Statuses = sts
		for _, a := range actions {
			p.Actions = appendNew(p.Actions, a)
		}
	}
	return p, withCount, nil
}

// stackList is GET /stacks.
func (h *Handler) stackList(w http.ResponseWriter, c *call) error {
	global := false
	if v, ok := c.q.get("global_tenant"); ok {
		b, err := extractBool("global_tenant", v)
		if err != nil {
			return err
		}
		global = b
	}
	if global {
		if err := h.authorize(c, "stacks:global_index", identity.ActionStackListGlobal); err != nil {
			return err
		}
	}
	p, withCount, err := stackListParams(c)
	if err != nil {
		return err
	}
	p.GlobalTenant = global
	ctx := c.r.Context()
	list, err := h.stacks.ListStacks(ctx, p)
	if err != nil {
		return err
	}
	out := &stackListResponse{Stacks: make([]*stackSummary, 0, len(list))}
	withProject := global || c.admin()
	for _, s := range list {
		out.Stacks = append(out.Stacks, h.links.stackSummary(s, withProject))
	}
	// views_common.get_collection_links: a full page links to the next.
	limit := 0
	if v, _ := c.q.get("limit"); v != "" {
		limit, _ = strconv.Atoi(v)
	}
	if limit > 0 && limit == len(list) {
		next := h.publicURL + c.r.URL.EscapedPath() + "?" + c.q.with("marker", list[len(list)-1].ID).encode()
		out.Links = []link{{Rel: "next", Href: next}}
	}
	if withCount {
		all := *p
		all.Limit, all.Marker = 0, ""
		every, err := h.stacks.ListStacks(ctx, &all)
		if err != nil {
			return err
		}
		n := len(every)
		out.Count = &n
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// stackDetail is GET /stacks/detail: the list without parameters, each
// stack in the same summary form (Heat's engine lists DB summaries).
func (h *Handler) stackDetail(w http.ResponseWriter, c *call) error {
	list, err := h.stacks.ListStacks(c.r.Context(), &stacks.ListParams{ProjectID: c.project})
	if err != nil {
		return err
	}
	out := &stackListResponse{Stacks: make([]*stackSummary, 0, len(list))}
	for _, s := range list {
		out.Stacks = append(out.Stacks, h.links.stackSummary(s, false))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// stackCreate is POST /stacks: 201 with Location and the new stack's id
// and link.
func (h *Handler) stackCreate(w http.ResponseWriter, c *call) error {
	d := &instantiation{body: c.body, op: "stack.create"}
	p, err := d.createParams(c)
	if err != nil {
		return err
	}
	s, err := h.stacks.CreateStack(c.r.Context(), p)
	if err != nil {
		var e *engine.Error
		if engine.CodeOf(err) == "StackExists" && errors.As(err, &e) && e.ID != "" {
			// Heat's 409 body, plus where the stack that has the name is,
			// so a client whose create timed out can adopt it without a
			// second lookup (the body keeps Heat's shape).
			w.Header().Set("Location", h.links.stackURL(stacks.StackRef{ID: e.ID, Name: p.Name, ProjectID: c.project}))
		}
		return err
	}
	var out stackCreated
	out.Stack.ID = s.ID
	href := h.links.stackURL(s.Ref())
	out.Stack.Links = []link{{Href: href, Rel: "self"}}
	w.Header().Set("Location", href)
	writeJSON(w, http.StatusCreated, &out)
	return nil
}

// stackPreview is POST /stacks/preview.
func (h *Handler) stackPreview(w http.ResponseWriter, c *call) error {
	d := &instantiation{body: c.body, op: "stack.preview"}
	p, err := d.createParams(c)
	if err != nil {
		return err
	}
	s, resources, err := h.stacks.PreviewStack(c.r.Context(), p)
	if err != nil {
		return err
	}
	out := h.links.stackFull(s, true)
	out.Resources = make([]*previewResourceWire, 0, len(resources))
	for _, r := range resources {
		out.Resources = append(out.Resources, previewResource(r))
	}
	if out.Outputs == nil {
		out.Outputs = []*outputWire{}
	}
	writeJSON(w, http.StatusOK, &stackResponse{Stack: out})
	return nil
}

// arnRE is HeatIdentifier.path_re on the part of an ARN after the tenant.
var arnRE = regexp.MustCompile(`^stacks/([^/]+)/([^/]+)(.*)`)

// parseARN is HeatIdentifier.from_arn:
// arn:openstack:heat::<tenant>:stacks/<name>/<id>[<path>].
func parseARN(arn string) (ref stacks.StackRef, path string, ok bool) {
	fields := strings.Split(arn, ":")
	if len(fields) < 6 || strings.ToLower(fields[0]) != "arn" || fields[1] != "openstack" || fields[2] != "heat" {
		return ref, "", false
	}
	m := arnRE.FindStringSubmatch(strings.Join(fields[5:], ":"))
	if m == nil {
		return ref, "", false
	}
	unq := func(s string) string {
		if u, err := url.PathUnescape(s); err == nil {
			return u
		}
		return s
	}
	ref = stacks.StackRef{ProjectID: unq(fields[4]), Name: unq(m[1]), ID: unq(m[2])}
	if strings.Contains(ref.Name, "/") {
		return ref, "", false
	}
	return ref, unq(m[3]), true
}

// stackLookup is Heat's redirect from a stack name or id (or ARN) to the
// stack's canonical URL, sub-path and query kept.
func (h *Handler) stackLookup(w http.ResponseWriter, c *call) error {
	nameOrID := c.vars["stack_name"]
	ref, path, ok := parseARN(nameOrID)
	if !ok {
		var err error
		if ref, err = h.stacks.LookupStack(c.r.Context(), c.project, nameOrID); err != nil {
			return err
		}
		path = ""
	}
	loc := h.links.stackURL(ref)
	if path != "" {
		if !strings.HasPrefix(path, "/") {
			path = "/" + path
		}
		loc += pyQuote(path, "/")
	}
	if sub := c.vars["path"]; sub != "" {
		loc += "/" + sub
	}
	if len(c.q.pairs) > 0 {
		loc += "?" + c.q.encode()
	}
	writeFound(w, loc)
	return nil
}

// stackShow is GET .../stacks/{name}/{id}.
func (h *Handler) stackShow(w http.ResponseWriter, c *call) error {
	resolve := true
	if v, ok := c.q.get("resolve_outputs"); ok {
		b, err := extractBool("resolve_outputs", v)
		if err != nil {
			return err
		}
		resolve = b
	}
	s, err := h.stacks.GetStack(c.r.Context(), c.ref(), resolve)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, &stackResponse{Stack: h.links.stackFull(s, false)})
	return nil
}

// stackTemplate is GET .../template: the stored template as JSON.
func (h *Handler) stackTemplate(w http.ResponseWriter, c *call) error {
	t, err := h.stacks.StackTemplate(c.r.Context(), c.ref())
	if err != nil {
		return err
	}
	writeBody(w, http.StatusOK, t)
	return nil
}

// stackEnvironment is GET .../environment.
func (h *Handler) stackEnvironment(w http.ResponseWriter, c *call) error {
	env, err := h.stacks.StackEnvironment(c.r.Context(), c.ref())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, env)
	return nil
}

// stackFiles is GET .../files.
func (h *Handler) stackFiles(w http.ResponseWriter, c *call) error {
	files, err := h.stacks.StackFiles(c.r.Context(), c.ref())
	if err != nil {
		return err
	}
	if files == nil {
		files = map[string]string{}
	}
	writeJSON(w, http.StatusOK, files)
	return nil
}

// stackUpdate is PUT .../stacks/{name}/{id}: a full update, 202.
func (h *Handler) stackUpdate(w http.ResponseWriter, c *call) error {
	return h.update(w, c, false)
}

// stackUpdatePatch is PATCH: the stored template, parameters and
// environment are kept unless given.
func (h *Handler) stackUpdatePatch(w http.ResponseWriter, c *call) error {
	return h.update(w, c, true)
}

func (h *Handler) update(w http.ResponseWriter, c *call, patch bool) error {
	d := &instantiation{body: c.body, op: "stack.update", patch: patch, update: true}
	p, err := d.updateParams(c)
	if err != nil {
		return err
	}
	if err := h.stacks.UpdateStack(c.r.Context(), p); err != nil {
		return err
	}
	writeAccepted(w)
	return nil
}

// stackPreviewUpdate is PUT/PATCH .../preview: 200
// {"resource_changes": {added, deleted, replaced, unchanged, updated}},
// each a list of resource summaries. show_nested is accepted (nested
// stacks' own changes are not listed).
func (h *Handler) stackPreviewUpdate(w http.ResponseWriter, c *call) error {
	if v, ok := c.q.single("show_nested"); ok {
		if _, err := extractBool("show_nested", v); err != nil {
			return err
		}
	}
	d := &instantiation{body: c.body, op: "stack.preview_update", patch: c.r.Method == http.MethodPatch, update: true}
	p, err := d.updateParams(c)
	if err != nil {
		return err
	}
	prev, err := h.stacks.PreviewUpdate(c.r.Context(), p)
	if err != nil {
		return err
	}
	wire := func(l []*stacks.Resource) []*resourceWire {
		out := make([]*resourceWire, len(l))
		for i, r := range l {
			out[i] = h.links.resource(r)
		}
		return out
	}
	writeJSON(w, http.StatusOK, map[string]any{"resource_changes": map[string]any{
		"added": wire(prev.Added), "deleted": wire(prev.Deleted), "replaced": wire(prev.Replaced),
		"unchanged": wire(prev.Unchanged), "updated": wire(prev.Updated),
	}})
	return nil
}

// stackDelete is DELETE .../stacks/{name}/{id}: 204.
func (h *Handler) stackDelete(w http.ResponseWriter, c *call) error {
	if err := h.stacks.DeleteStack(c.r.Context(), c.ref()); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// stackAbandon is DELETE .../abandon. Heat disables abandon by default
// (enable_stack_abandon) and so does Kiln.
func (h *Handler) stackAbandon(http.ResponseWriter, *call) error {
	return invalidAs("stack.abandon", "NotSupported", "Stack Abandon is not supported.")
}

// outputList is GET .../outputs: keys and descriptions.
func (h *Handler) outputList(w http.ResponseWriter, c *call) error {
	outs, err := h.stacks.ListOutputs(c.r.Context(), c.ref())
	if err != nil {
		return err
	}
	list := make([]outputSummary, len(outs))
	for i, o := range outs {
		list[i] = outputSummary{OutputKey: o.Key, Description: o.Description}
	}
	writeJSON(w, http.StatusOK, map[string]any{"outputs": list})
	return nil
}

// outputShow is GET .../outputs/{key}.
func (h *Handler) outputShow(w http.ResponseWriter, c *call) error {
	o, err := h.stacks.GetOutput(c.r.Context(), c.ref(), c.vars["output_key"])
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"output": outputFull(o)})
	return nil
}

// actionNames are the stack actions POST .../actions takes, with the
// identity action each needs (Heat lets readers run check).
var actionNames = map[string]identity.Action{
	"cancel_update":           identity.ActionStackUpdate,
	"cancel_without_rollback": identity.ActionStackUpdate,
	"check":                   identity.ActionStackGet,
	"resume":                  identity.ActionStackUpdate,
	"suspend":                 identity.ActionStackUpdate,
}

// stackAction is POST .../actions: exactly one action key. Heat checks the
// body before the tenant and policy, and answers 200 with null.
func (h *Handler) stackAction(w http.ResponseWriter, c *call) error {
	const op = "stack.action"
	switch n := len(c.body.keys); {
	case n < 1:
		return badRequest(op, "No action specified")
	case n > 1:
		return badRequest(op, "Multiple actions specified")
	}
	action := c.body.keys[0]
	need, ok := actionNames[action]
	if !ok {
		return badRequest(op, "Invalid action "+action+" specified")
	}
	if err := h.authorize(c, "actions:"+action, need); err != nil {
		return err
	}
	if err := h.stacks.ActStack(c.r.Context(), c.ref(), action); err != nil {
		return err
	}
	writeNull(w)
	return nil
}
