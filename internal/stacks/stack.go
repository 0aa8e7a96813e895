package stacks

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/kilnhq/kiln/internal/engine"
)

// StackType is the Heat resource type of stack-level events.
const StackType = "OS::Heat::Stack"

// stackKind is the engine resource type of a stack row. It differs from
// StackType because OS::Heat::Stack is also a resource type a template
// may use (a stack inside a stack), and such a resource is a child row of
// its stack.
const stackKind = "heat.stack"

// stackDef is what a stack keeps of its request, in the stack resource's
// properties.
type stackDef struct {
	Description     string            `json:"description,omitempty"`
	DisableRollback bool              `json:"disable_rollback"`
	Environment     map[string]any    `json:"environment,omitempty"`
	Files           map[string]string `json:"files,omitempty"`
	Owner           string            `json:"owner,omitempty"`
	Parameters      map[string]any    `json:"parameters,omitempty"` // as given
	Tags            []string          `json:"tags,omitempty"`
	// Template is the template as a JSON document (what GET .../template
	// returns).
	Template    json.RawMessage `json:"template"`
	TimeoutMins int             `json:"timeout_mins"`

	// Nested is set for a stack made by a resource of another stack.
	Nested *nestedInfo `json:"nested,omitempty"`
}

// nestedInfo ties a nested stack to the resource that made it. The stack
// row's ParentID is that resource's engine id.
type nestedInfo struct {
	// Depth is 1 for a stack made by a top-level stack's resource.
	Depth int `json:"depth"`
	// ParentStack is the parent stack's id, shown as "parent"; empty for
	// OS::Heat::Stack, whose stack is a stack of its own in Heat (listed,
	// no parent).
	ParentStack string `json:"parent_stack,omitempty"`
	// ParentResource is the resource's name (parent_resource).
	ParentResource string `json:"parent_resource"`
	// Spec is a digest of what the resource asked for (template,
	// parameters, environment, files); a different one means the nested
	// stack needs an update.
	Spec string `json:"spec"`
	// Facade is what resource_facade reads: the parent resource's
	// metadata, deletion_policy and update_policy.
	Facade map[string]any `json:"facade,omitempty"`
}

// stackState is what a stack computes, in the stack resource's attributes.
type stackState struct {
	// Cancel is how a cancel request for the running action ends it:
	// cancelRollback (cancel_update) or cancelOnly
	// (cancel_without_rollback); the action's Finish reads it.
	Cancel string `json:"cancel,omitempty"`
	// OperationID is the engine operation of the stack's current (or
	// last) action; signals wake it.
	OperationID string `json:"operation_id,omitempty"`
	// Outputs are resolved when the last action finished.
	Outputs []outputState `json:"outputs,omitempty"`
	// Parameters are the resolved values as Heat shows them (strings),
	// pseudo parameters included.
	Parameters map[string]string `json:"parameters,omitempty"`
	// Previous is the definition the stack had when its last update
	// started (Heat's prev_raw_template): what a rollback restores.
	Previous *stackDef `json:"previous,omitempty"`
}

type outputState struct {
	Description string `json:"description,omitempty"`
	Error       string `json:"error,omitempty"`
	Key         string `json:"key"`
	Value       any    `json:"value"`
}

var stackNameRE = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9_.-]{0,254}$`)

// validateStackName answers Heat's message for a bad name.
func validateStackName(op, name string) error {
	if name == "" {
		return &engine.Error{Kind: engine.KindInvalid, Code: "HTTPBadRequest", Op: op, Msg: "No stack name specified"}
	}
	if !stackNameRE.MatchString(name) {
		return &engine.Error{Kind: engine.KindInvalid, Code: "StackValidationFailed", Op: op,
			Msg: fmt.Sprintf(`Invalid stack name %s must contain only alphanumeric or "_-." characters, must start with alpha and must be 255 characters or less.`, name)}
	}
	return nil
}

func stackNotFound(op, nameOrID string) error {
	return &engine.Error{Kind: engine.KindNotFound, Code: "EntityNotFound", Op: op, Resource: "stack", ID: nameOrID,
		Msg: fmt.Sprintf("The Stack (%s) could not be found.", nameOrID)}
}

// loadStack reads a stack by reference; the name must match.
func (s *Service) loadStack(ctx context.Context, ref StackRef) (*engine.Resource, error) {
	const op = "stack.get"
	name := ref.Name
	if name == "" {
		name = ref.ID
	}
	r, err := s.e.GetResource(ctx, ref.ProjectID, ref.ID)
	if err != nil {
		if engine.KindOf(err) == engine.KindNotFound {
			return nil, stackNotFound(op, name)
		}
		return nil, err
	}
	if r.Type != stackKind || (ref.Name != "" && r.Name != ref.Name) {
		return nil, stackNotFound(op, name)
	}
	return r, nil
}

func decodeStack(r *engine.Resource) (*stackDef, *stackState, error) {
	var def stackDef
	var st stackState
	if len(r.Properties) > 0 {
		if err := json.Unmarshal(r.Properties, &def); err != nil {
			return nil, nil, &engine.Error{Kind: engine.KindInternal, Op: "stack.decode", Err: err}
		}
	}
	if len(r.Attributes) > 0 {
		if err := json.Unmarshal(r.Attributes, &st); err != nil {
			return nil, nil, &engine.Error{Kind: engine.KindInternal, Op: "stack.decode", Err: err}
		}
	}
	return &def, &st, nil
}

func stackFromResource(r *engine.Resource, def *stackDef, st *stackState, withOutputs bool) *Stack {
	out := &Stack{
		ID: r.ID, Action: string(r.Action), CreatedAt: r.CreatedAt, DeletedAt: r.DeletedAt,
		Description: def.Description, DisableRollback: def.DisableRollback, Name: r.Name, Owner: def.Owner,
		Parameters: st.Parameters, ProjectID: r.ProjectID, Status: string(r.Status),
		StatusReason: r.StatusReason, Tags: def.Tags, TemplateDescription: def.Description, TimeoutMins: def.TimeoutMins,
	}
	if def.Nested != nil {
		out.ParentID = def.Nested.ParentStack
	}
	if r.UpdatedAt.After(r.CreatedAt) && r.Action != engine.ActionCreate {
		u := r.UpdatedAt
		out.UpdatedAt = &u
	}
	if out.Parameters == nil {
		out.Parameters = map[string]string{}
	}
	if withOutputs && !(r.Action == engine.ActionDelete && r.Status == engine.StatusComplete) {
		out.Outputs = []Output{}
		for _, o := range st.Outputs {
			out.Outputs = append(out.Outputs, Output{Description: o.Description, Error: o.Error, Key: o.Key, Value: o.Value})
		}
	}
	return out
}

// GetStack implements API.
func (s *Service) GetStack(ctx context.Context, ref StackRef, resolveOutputs bool) (*Stack, error) {
	r, err := s.loadStack(ctx, ref)
	if err != nil {
		return nil, err
	}
	def, st, err := decodeStack(r)
	if err != nil {
		return nil, err
	}
	return stackFromResource(r, def, st, resolveOutputs), nil
}

// LookupStack implements API: an id first, then a name, of a live stack.
func (s *Service) LookupStack(ctx context.Context, projectID, nameOrID string) (StackRef, error) {
	const op = "stack.lookup"
	if r, err := s.e.GetResource(ctx, projectID, nameOrID); err == nil && r.Type == stackKind && r.DeletedAt == nil {
		return StackRef{ID: r.ID, Name: r.Name, ProjectID: r.ProjectID}, nil
	}
	rs, err := s.e.ListResources(ctx, &engine.ResourceListParams{ProjectID: projectID, Type: stackKind, Name: nameOrID})
	if err != nil {
		return StackRef{}, err
	}
	if len(rs) > 0 {
		return StackRef{ID: rs[0].ID, Name: rs[0].Name, ProjectID: rs[0].ProjectID}, nil
	}
	return StackRef{}, stackNotFound(op, nameOrID)
}

// ListStacks implements API. Filtering, sorting and paging run over the
// project's stacks in memory (bounded by MaxStacksPerProject live stacks).
func (s *Service) ListStacks(ctx context.Context, p *ListParams) ([]*Stack, error) {
	const op = "stack.list"
	projectID := p.ProjectID
	if p.GlobalTenant {
		projectID = "" // every project's (the dialect checks the caller may)
	}
	rs, err := s.e.ListResources(ctx, &engine.ResourceListParams{ProjectID: projectID, Type: stackKind, IncludeDeleted: p.ShowDeleted})
	if err != nil {
		return nil, err
	}
	in := func(list []string, v string) bool {
		if len(list) == 0 {
			return true
		}
		for _, x := range list {
			if x == v {
				return true
			}
		}
		return false
	}
	var out []*Stack
	for _, r := range rs {
		if !in(p.IDs, r.ID) || !in(p.Names, r.Name) || !in(p.Statuses, string(r.Status)) || !in(p.Actions, string(r.Action)) {
			continue
		}
		def, st, err := decodeStack(r)
		if err != nil {
			return nil, err
		}
		if def.Nested != nil && def.Nested.ParentStack != "" && !p.ShowNested {
			continue
		}
		if !tagsMatch(def.Tags, p) || !columnsMatch(r, def, p.Columns) {
			continue
		}
		stack := stackFromResource(r, def, st, false)
		stack.Description = "" // Heat's list view carries the DB summary, not the template text
		out = append(out, stack)
	}
	sortStacks(out, p.SortKeys, p.SortDir)
	if p.Marker != "" {
		i := 0
		for i < len(out) && out[i].ID != p.Marker {
			i++
		}
		if i == len(out) {
			return nil, &engine.Error{Kind: engine.KindNotFound, Code: "EntityNotFound", Op: op,
				Msg: fmt.Sprintf("The Stack (%s) could not be found.", p.Marker)}
		}
		out = out[i+1:]
	}
	if p.Limit > 0 && len(out) > p.Limit {
		out = out[:p.Limit]
	}
	return out, nil
}

// columnsMatch applies ListParams.Columns: a stack matches when, for each
// column filtered, its value is one of those given.
func columnsMatch(r *engine.Resource, def *stackDef, cols map[string][]string) bool {
	for col, vals := range cols {
		var have string
		switch col {
		case "tenant", "stack_user_project_id":
			have = r.ProjectID
		case "username":
			have = def.Owner
		case "owner_id":
			if def.Nested != nil {
				have = def.Nested.ParentStack
			}
		case "disable_rollback":
			have = strconv.FormatBool(def.DisableRollback)
		case "timeout_mins":
			have = strconv.Itoa(def.TimeoutMins)
		case "status_reason":
			have = r.StatusReason
		default:
			continue
		}
		ok := false
		for _, v := range vals {
			if col == "disable_rollback" {
				if b, err := strconv.ParseBool(strings.ToLower(v)); err == nil {
					v = strconv.FormatBool(b)
				}
			}
			ok = ok || v == have
		}
		if !ok {
			return false
		}
	}
	return true
}

func tagsMatch(tags []string, p *ListParams) bool {
	has := map[string]bool{}
	for _, t := range tags {
		has[t] = true
	}
	for _, t := range p.Tags {
		if !has[t] {
			return false
		}
	}
	if len(p.TagsAny) > 0 {
		any := false
		for _, t := range p.TagsAny {
			any = any || has[t]
		}
		if !any {
			return false
		}
	}
	if len(p.NotTags) > 0 {
		all := true
		for _, t := range p.NotTags {
			all = all && has[t]
		}
		if all {
			return false
		}
	}
	for _, t := range p.NotTagsAny {
		if has[t] {
			return false
		}
	}
	return true
}

// sortStacks orders as Heat: by the valid sort keys given (default
// creation time), direction default desc, ties by id.
func sortStacks(out []*Stack, keys []string, dir string) {
	desc := dir != "asc"
	var valid []string
	for _, k := range keys {
		switch k {
		case "stack_name", "stack_status", "creation_time", "updated_time":
			valid = append(valid, k)
		}
	}
	if len(valid) == 0 {
		valid = []string{"creation_time"}
	}
	cmp := func(a, b *Stack, key string) int {
		switch key {
		case "stack_name":
			return strings.Compare(a.Name, b.Name)
		case "stack_status":
			return strings.Compare(a.Action+"_"+a.Status, b.Action+"_"+b.Status)
		case "updated_time":
			return compareTime(a.UpdatedAt, b.UpdatedAt)
		default:
			return a.CreatedAt.Compare(b.CreatedAt)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		for _, k := range valid {
			if c := cmp(out[i], out[j], k); c != 0 {
				return (c < 0) != desc
			}
		}
		return (out[i].ID < out[j].ID) != desc
	})
}

func compareTime(a, b *time.Time) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	return a.Compare(*b)
}

// loadStackDef reads what a stack keeps of its request (template,
// environment, files).
func (s *Service) loadStackDef(ctx context.Context, ref StackRef) (*stackDef, error) {
	r, err := s.loadStack(ctx, ref)
	if err != nil {
		return nil, err
	}
	def, _, err := decodeStack(r)
	return def, err
}

// StackTemplate implements API.
func (s *Service) StackTemplate(ctx context.Context, ref StackRef) (json.RawMessage, error) {
	def, err := s.loadStackDef(ctx, ref)
	if err != nil {
		return nil, err
	}
	return def.Template, nil
}

// StackEnvironment implements API: the merged environment in Heat's form.
func (s *Service) StackEnvironment(ctx context.Context, ref StackRef) (map[string]any, error) {
	def, err := s.loadStackDef(ctx, ref)
	if err != nil {
		return nil, err
	}
	return environmentOf(def), nil
}

// environmentOf is a stack's environment in Heat's form (every section
// present, resource_registry with its resources map).
func environmentOf(def *stackDef) map[string]any {
	env := map[string]any{
		"encrypted_param_names": []any{}, "event_sinks": []any{}, "parameter_defaults": map[string]any{},
		"parameters": map[string]any{}, "resource_registry": map[string]any{"resources": map[string]any{}},
	}
	for k, v := range def.Environment {
		env[k] = v
	}
	if reg, ok := env["resource_registry"].(map[string]any); ok {
		if _, ok := reg["resources"]; !ok {
			cp := map[string]any{"resources": map[string]any{}}
			for k, v := range reg {
				cp[k] = v
			}
			env["resource_registry"] = cp
		}
	}
	return env
}

// StackFiles implements API.
func (s *Service) StackFiles(ctx context.Context, ref StackRef) (map[string]string, error) {
	def, err := s.loadStackDef(ctx, ref)
	if err != nil {
		return nil, err
	}
	if def.Files == nil {
		return map[string]string{}, nil
	}
	return def.Files, nil
}

// ListOutputs implements API: keys and descriptions, no values.
func (s *Service) ListOutputs(ctx context.Context, ref StackRef) ([]Output, error) {
	st, err := s.GetStack(ctx, ref, true)
	if err != nil {
		return nil, err
	}
	out := make([]Output, len(st.Outputs))
	for i, o := range st.Outputs {
		out[i] = Output{Key: o.Key, Description: o.Description}
	}
	return out, nil
}

// GetOutput implements API.
func (s *Service) GetOutput(ctx context.Context, ref StackRef, key string) (*Output, error) {
	st, err := s.GetStack(ctx, ref, true)
	if err != nil {
		return nil, err
	}
	for _, o := range st.Outputs {
		if o.Key == key {
			return &o, nil
		}
	}
	return nil, &engine.Error{Kind: engine.KindNotFound, Code: "NotFound", Op: "stack.output",
		Msg: fmt.Sprintf("Specified output key %s not found.", key)}
}

// mustJSON marshals a value built by this package (plain maps, strings,
// numbers); such values always marshal.
func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		return json.RawMessage("null")
	}
	return b
}

func jsonUnmarshal(b []byte, v any) error {
	if err := json.Unmarshal(b, v); err != nil {
		return &engine.Error{Kind: engine.KindInternal, Op: "stack.decode", Err: err}
	}
	return nil
}
