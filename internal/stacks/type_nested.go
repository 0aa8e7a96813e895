package stacks

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/kilnhq/kiln/internal/engine"
	"github.com/kilnhq/kiln/internal/stacks/hot"
)

// maxNestedDepth is Heat's max_nested_stack_depth.
const maxNestedDepth = 5

// nestedPoll is how often a resource waiting for its nested stack looks
// again when no wake-up came (a nested stack that settles wakes its
// parent's operation at once; this is only the fallback).
const nestedPoll = 5 * time.Second

// nestedTypes are the types backed by a nested stack that the registry
// knows by name, and the scaling policy that resizes one; template
// resources (a type that names a template file) are made per plan by
// typeFor.
func (s *Service) nestedTypes() []ResourceType {
	return []ResourceType{&remoteStackType{s: s}, &resourceGroupType{s: s}, &autoScalingGroupType{s: s},
		&scalingPolicyType{s: s}, &resourceChainType{resourceGroupType{s: s}}}
}

// typeFor finds a resource type: a registered one, or a template resource
// when the name is a template in the stack's files (Heat's provider
// templates: a name ending in .yaml or .template, directly or through the
// environment's resource_registry).
func (s *Service) typeFor(files map[string]string, name string) (ResourceType, bool) {
	if t, ok := s.types.Get(name); ok {
		return t, true
	}
	if !isTemplateName(name) {
		return nil, false
	}
	if files == nil {
		// Deleting needs no template.
		return &templateResourceType{nestedBase: nestedBase{s: s}, name: name}, true
	}
	body, ok := files[name]
	if !ok {
		return nil, false
	}
	return newTemplateResourceType(s, name, body), true
}

func isTemplateName(name string) bool {
	return strings.HasSuffix(name, ".yaml") || strings.HasSuffix(name, ".template") || strings.HasSuffix(name, ".yml")
}

// settle writes a stack's final state of an action and wakes the
// operation of the stack whose resource made it, if any, in the same
// transaction.
func (s *Service) settle(ctx context.Context, tx *engine.Tx, stack *engine.Resource, p *engine.ResourceUpdateParams) error {
	if _, err := tx.UpdateResource(ctx, p); err != nil {
		return err
	}
	if err := s.purgeEvents(ctx, tx, stack); err != nil {
		return err
	}
	if stack.ParentID == "" {
		return nil
	}
	res, err := tx.GetResource(ctx, stack.ProjectID, stack.ParentID)
	if engine.KindOf(err) == engine.KindNotFound {
		return nil
	}
	if err != nil {
		return err
	}
	parent, err := tx.GetResource(ctx, stack.ProjectID, res.ParentID)
	if engine.KindOf(err) == engine.KindNotFound {
		return nil
	}
	if err != nil {
		return err
	}
	_, st, err := decodeStack(parent)
	if err != nil {
		return err
	}
	rst, _, err := decodeResource(res)
	if err != nil {
		return err
	}
	// The stack's action, and a scaling operation resizing the resource.
	for _, op := range []string{st.OperationID, dataString(rst.Data, "scaling_op")} {
		if op == "" {
			continue
		}
		if err := tx.Wake(ctx, op); err != nil && engine.KindOf(err) != engine.KindNotFound {
			return err
		}
	}
	return nil
}

// childSpec is what a nested-stack resource asks its stack to be.
type childSpec struct {
	Environment map[string]any    `json:"environment,omitempty"`
	Facade      map[string]any    `json:"facade,omitempty"`
	Files       map[string]string `json:"files,omitempty"`
	Parameters  map[string]any    `json:"parameters,omitempty"`
	// Remote: OS::Heat::Stack's stack, a stack of its own (no parent).
	Remote      bool   `json:"remote,omitempty"`
	Template    []byte `json:"template"`
	TimeoutMins int    `json:"timeout_mins,omitempty"`
}

func (c *childSpec) digest() string {
	h := sha256.Sum256(mustJSON(c))
	return hex.EncodeToString(h[:16])
}

// parentContext is what a nested stack inherits from the stack of the
// resource that makes it.
type parentContext struct {
	def   *stackDef
	depth int
}

func (s *Service) parentOf(ctx context.Context, rc *RC) (*parentContext, error) {
	stack, err := s.e.GetResource(ctx, rc.Stack.ProjectID, rc.Stack.ID)
	if err != nil {
		return nil, err
	}
	def, _, err := decodeStack(stack)
	if err != nil {
		return nil, err
	}
	depth := 1
	if def.Nested != nil {
		depth = def.Nested.Depth + 1
	}
	return &parentContext{def: def, depth: depth}, nil
}

// inheritedEnvironment is the parent's environment as a nested stack gets
// it: the registry and parameter_defaults, not the parameters.
func inheritedEnvironment(env map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range env {
		if k != "parameters" {
			out[k] = v
		}
	}
	return out
}

var nameUnsafe = regexp.MustCompile(`[^a-zA-Z0-9_.-]`)

// findChild returns the live nested stack a resource made, or nil.
func (s *Service) findChild(ctx context.Context, rc *RC) (*engine.Resource, error) {
	if rc.ID == "" {
		return nil, nil
	}
	rows, err := s.e.ListResources(ctx, &engine.ResourceListParams{ProjectID: rc.Stack.ProjectID, ParentID: rc.ID, Type: stackKind})
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		if r.DeletedAt == nil {
			return r, nil
		}
	}
	return nil, nil
}

// ensureChild makes the resource's nested stack match spec: it creates
// the stack, or updates it when what the resource asks for changed, and
// reports the resource in progress until the stack settles. It is safe
// to repeat: the stack is found through its parent resource.
func (s *Service) ensureChild(ctx context.Context, rc *RC, spec *childSpec) (*Outcome, error) {
	digest := spec.digest()
	child, err := s.findChild(ctx, rc)
	if err != nil {
		return nil, err
	}
	if child == nil {
		pc, err := s.parentOf(ctx, rc)
		if err != nil {
			return nil, err
		}
		info := &nestedInfo{Depth: pc.depth, Facade: spec.Facade, ParentResource: rc.Name, Spec: digest}
		if !spec.Remote {
			info.ParentStack = rc.Stack.ID
		}
		p := &CreateParams{
			Caller:      Caller{ProjectID: rc.Stack.ProjectID, UserName: pc.def.Owner},
			Environment: mustJSON(spec.Environment), Files: spec.Files,
			Name:       PhysicalResourceName(rc.Stack.Name, nameUnsafe.ReplaceAllString(rc.Name, "_")),
			Parameters: spec.Parameters, Template: spec.Template, nested: info,
		}
		if spec.TimeoutMins > 0 {
			t := spec.TimeoutMins
			p.TimeoutMins = &t
		}
		d, err := s.draftStack(p, rc.ID)
		if err != nil {
			return nil, err
		}
		// The nested stack is stored with the resource's own state change:
		// the resource's CREATE_IN_PROGRESS comes first in the events, and
		// a crash cannot leave a nested stack its resource does not know.
		out := childWaiting(rc, &engine.Resource{ID: d.id, Name: p.Name}, engine.ActionCreate)
		out.Commit = func(ctx context.Context, tx *engine.Tx) error {
			_, err := s.insertStack(ctx, tx, d)
			return err
		}
		return out, nil
	}
	def, _, err := decodeStack(child)
	if err != nil {
		return nil, err
	}
	if def.Nested != nil && def.Nested.Spec == digest && child.Action != engine.ActionDelete {
		// Already asked for (a Check, or a repeat after a crash): the
		// stack's latest action is the one asked for; follow it.
		return s.childOutcome(ctx, rc, child, child.Action)
	}
	if child.Status == engine.StatusInProgress {
		// Let the running action end first.
		return childWaiting(rc, child, child.Action), nil
	}
	info := *def.Nested
	info.Spec, info.Facade = digest, spec.Facade
	up := &UpdateParams{Ref: StackRef{ID: child.ID, Name: child.Name, ProjectID: child.ProjectID}}
	up.Caller = Caller{ProjectID: child.ProjectID, UserName: def.Owner}
	up.Environment, up.Files, up.Parameters, up.Template = mustJSON(spec.Environment), spec.Files, spec.Parameters, spec.Template
	if spec.TimeoutMins > 0 {
		t := spec.TimeoutMins
		up.TimeoutMins = &t
	}
	up.nested = &info
	if err := s.UpdateStack(ctx, up); err != nil {
		return nil, err
	}
	return childWaiting(rc, child, engine.ActionUpdate), nil
}

// childWaiting is the outcome of a resource whose nested stack is acting.
func childWaiting(rc *RC, child *engine.Resource, action engine.Action) *Outcome {
	return &Outcome{
		Data: withData(rc.Data, "action", string(action), "stack_id", child.ID, "stack_name", child.Name),
		// Attributes known before the stack settles.
		PhysicalID: child.ID,
		WaitUntil:  rc.Now.Add(nestedPoll),
	}
}

// childOutcome reports a resource from its nested stack's state in the
// action it waits for.
func (s *Service) childOutcome(ctx context.Context, rc *RC, child *engine.Resource, action engine.Action) (*Outcome, error) {
	if child.Action != action || child.Status == engine.StatusInProgress {
		if child.Action == engine.ActionDelete && action != engine.ActionDelete {
			return nil, resourceError("resource.check", "ResourceFailure",
				fmt.Sprintf("Nested stack %s was deleted", child.Name))
		}
		return childWaiting(rc, child, action), nil
	}
	if child.Status == engine.StatusFailed {
		path, reason, err := s.failedLeaf(ctx, child, 0)
		if err != nil {
			return nil, err
		}
		return nil, resourceError("resource.check", "Error",
			fmt.Sprintf("%s/%s → %s: %s", rc.Stack.Name, rc.Name, path, reason))
	}
	return &Outcome{
		Data: withData(rc.Data, "action", string(action), "stack_id", child.ID, "stack_name", child.Name),
		Done: true, PhysicalID: child.ID,
	}, nil
}

// checkChild is Check for every nested-stack type: it follows the stack
// the resource's Data names.
func (s *Service) checkChild(ctx context.Context, rc *RC) (*Outcome, error) {
	id := dataString(rc.Data, "stack_id")
	if id == "" {
		id = rc.PhysicalID
	}
	action := engine.Action(dataString(rc.Data, "action"))
	child, err := s.e.GetResource(ctx, rc.Stack.ProjectID, id)
	if err != nil {
		if engine.KindOf(err) == engine.KindNotFound && action == engine.ActionDelete {
			return &Outcome{Done: true}, nil
		}
		return nil, err
	}
	return s.childOutcome(ctx, rc, child, action)
}

// deleteChild starts deleting the resource's nested stack; Check follows
// it to DELETE_COMPLETE.
func (s *Service) deleteChild(ctx context.Context, rc *RC) (*Outcome, error) {
	child, err := s.findChild(ctx, rc)
	if err != nil {
		return nil, err
	}
	if child == nil && rc.PhysicalID != "" {
		if r, err := s.e.GetResource(ctx, rc.Stack.ProjectID, rc.PhysicalID); err == nil && r.Type == stackKind && r.DeletedAt == nil {
			child = r
		}
	}
	if child == nil || (child.Action == engine.ActionDelete && child.Status == engine.StatusComplete) {
		return &Outcome{Done: true}, nil
	}
	if !(child.Action == engine.ActionDelete && child.Status == engine.StatusInProgress) {
		if err := s.DeleteStack(ctx, StackRef{ID: child.ID, Name: child.Name, ProjectID: child.ProjectID}); err != nil &&
			engine.KindOf(err) != engine.KindNotFound {
			return nil, err
		}
	}
	return childWaiting(rc, child, engine.ActionDelete), nil
}

// childOutputs reads a settled nested stack's outputs as a map.
func (s *Service) childOutputs(ctx context.Context, projectID, id string) (map[string]any, *engine.Resource, error) {
	child, err := s.e.GetResource(ctx, projectID, id)
	if err != nil {
		return nil, nil, err
	}
	_, st, err := decodeStack(child)
	if err != nil {
		return nil, nil, err
	}
	out := map[string]any{}
	for _, o := range st.Outputs {
		out[o.Key] = o.Value
	}
	return out, child, nil
}

// nestedBase is what every nested-stack type shares: no signals, Check
// and Delete through the nested stack.
type nestedBase struct{ s *Service }

func (nestedBase) Signal(context.Context, *RC, json.RawMessage) (string, error) {
	return "", ErrNotSignallable
}

func (b nestedBase) Delete(ctx context.Context, rc *RC) (*Outcome, error) {
	return b.s.deleteChild(ctx, rc)
}

// parentSpec fills the files, environment and timeout a nested stack
// inherits from the resource's stack.
func (b nestedBase) parentSpec(ctx context.Context, rc *RC, spec *childSpec) error {
	pc, err := b.s.parentOf(ctx, rc)
	if err != nil {
		return err
	}
	spec.Files = pc.def.Files
	spec.Environment = inheritedEnvironment(pc.def.Environment)
	spec.Facade = facadeOf(rc)
	if spec.TimeoutMins == 0 {
		spec.TimeoutMins = pc.def.TimeoutMins
	}
	return nil
}

// # Template resources

// templateResourceType is a resource whose type names a template in the
// stack's files: its properties are the template's parameters, its
// attributes the template's outputs, and it is a nested stack.
type templateResourceType struct {
	nestedBase
	body   string
	name   string
	parsed error // the template's parse error, reported at validation
	schema *TypeSchema
}

func newTemplateResourceType(s *Service, name, body string) *templateResourceType {
	t := &templateResourceType{nestedBase: nestedBase{s: s}, body: body, name: name}
	sc := &TypeSchema{Name: name, ClassName: "TemplateResource", Properties: map[string]PropertySchema{},
		Attributes: map[string]AttributeSchema{"OS::stack_id": {Type: "string"}}}
	tmpl, err := hot.Parse([]byte(body))
	if err != nil {
		t.parsed = err
	} else {
		for _, p := range tmpl.Parameters {
			ps := PropertySchema{Description: p.Description, Required: !p.HasDefault, UpdateAllowed: true}
			switch p.Type {
			case "number":
				ps.Type = "number"
			case "comma_delimited_list":
				ps.Type = "list"
			case "json":
				ps.Type = "map"
			case "boolean":
				ps.Type = "boolean"
			default:
				ps.Type = "string"
			}
			sc.Properties[p.Name] = ps
		}
		for _, o := range tmpl.Outputs {
			sc.Attributes[o.Name] = AttributeSchema{Description: o.Description}
		}
	}
	sc.ValidateFunc = func(resourceName string, props map[string]any) (map[string]any, error) {
		if t.parsed != nil {
			return nil, &engine.Error{Kind: engine.KindInvalid, Code: "StackValidationFailed", Op: "stack.validate",
				Msg: fmt.Sprintf("Failed to validate: : resources.%s: : %s", resourceName, engine.MessageOf(t.parsed))}
		}
		return props, nil
	}
	t.schema = sc
	return t
}

func (t *templateResourceType) Schema() *TypeSchema {
	if t.schema == nil {
		return &TypeSchema{Name: t.name, ClassName: "TemplateResource", AnyProperties: true, AnyAttributes: true}
	}
	return t.schema
}

func (t *templateResourceType) spec(ctx context.Context, rc *RC) (*childSpec, error) {
	if t.parsed != nil {
		return nil, t.parsed
	}
	spec := &childSpec{Template: []byte(t.body), Parameters: map[string]any{}}
	for k, v := range rc.Properties {
		if v != nil {
			spec.Parameters[k] = v
		}
	}
	return spec, t.parentSpec(ctx, rc, spec)
}

func (t *templateResourceType) Create(ctx context.Context, rc *RC) (*Outcome, error) {
	spec, err := t.spec(ctx, rc)
	if err != nil {
		return nil, err
	}
	out, err := t.s.ensureChild(ctx, rc, spec)
	return t.settled(ctx, rc, out, err)
}

func (t *templateResourceType) Update(ctx context.Context, rc *RC, _ map[string]any) (*Outcome, error) {
	return t.Create(ctx, rc)
}

// Check follows a delete; otherwise it asks again for what Create asked
// (ensureChild follows a stack that already matches, and brings one that
// does not, e.g. after a crash between two writes, to the spec).
func (t *templateResourceType) Check(ctx context.Context, rc *RC) (*Outcome, error) {
	if dataString(rc.Data, "action") == string(engine.ActionDelete) || t.body == "" {
		out, err := t.s.checkChild(ctx, rc)
		return t.settled(ctx, rc, out, err)
	}
	return t.Create(ctx, rc)
}

// settled adds the outputs as attributes once the nested stack is done.
func (t *templateResourceType) settled(ctx context.Context, rc *RC, out *Outcome, err error) (*Outcome, error) {
	if err != nil || !out.Done || dataString(out.Data, "action") == string(engine.ActionDelete) {
		return out, err
	}
	outputs, child, err := t.s.childOutputs(ctx, rc.Stack.ProjectID, out.PhysicalID)
	if err != nil {
		return nil, err
	}
	ref := any(fmt.Sprintf("arn:openstack:heat::%s:stacks/%s/%s", child.ProjectID, child.Name, child.ID))
	if v, ok := outputs["OS::stack_id"]; ok {
		ref = v
	} else {
		outputs["OS::stack_id"] = child.ID
	}
	out.Attributes = outputs
	out.Data = withData(out.Data, "ref", ref)
	return out, nil
}

// RefID is get_resource's answer: the nested stack's ARN, or its
// OS::stack_id output when the template has one.
func (t *templateResourceType) RefID(rc *RC) any {
	if v, ok := rc.Data["ref"]; ok {
		return v
	}
	if rc.PhysicalID == "" {
		return rc.Name
	}
	return rc.PhysicalID
}

// # OS::Heat::Stack

// remoteStackType is OS::Heat::Stack: in Heat a stack made in another
// region (or the same one) through the API, a stack of its own: it is
// listed like any stack and has no parent. Kiln has one region, so
// context.region_name is accepted and the stack is made here.
type remoteStackType struct{ s *Service }

func (t *remoteStackType) base() nestedBase { return nestedBase{s: t.s} }

func (t *remoteStackType) Schema() *TypeSchema {
	return &TypeSchema{
		Name: "OS::Heat::Stack", ClassName: "RemoteStack", Version: "2014.2",
		Description: "A Resource representing a stack.\n\nA resource that allowing for the creating stack, where should be defined\n" +
			"stack template in HOT format, parameters (if template has any parameters\n" +
			"with no default value), and timeout of creating. After creating current\n" +
			"stack will have remote stack.",
		Properties: map[string]PropertySchema{
			"context": {Type: "map", Description: "Context for this stack.", Schema: map[string]PropertySchema{
				"region_name":          {Type: "string", Description: "Region name in which this stack will be created."},
				"credential_secret_id": {Type: "string", Description: "A Barbican secret ID. The Barbican secret should contain an OpenStack credential that can be used to access a remote cloud."},
				"ca_cert":              {Type: "string", Description: "CA Cert for SSL."},
				"insecure":             {Type: "boolean", Default: false, Description: "If set, then the server's certificate will not be verified."},
			}},
			"template":   {Type: "string", Required: true, UpdateAllowed: true, Description: "Template that specifies the stack to be created as a resource."},
			"timeout":    {Type: "integer", UpdateAllowed: true, Description: "Number of minutes to wait for this stack creation."},
			"parameters": {Type: "map", Default: map[string]any{}, UpdateAllowed: true, Description: "Set of parameters passed to this stack."},
		},
		Attributes: map[string]AttributeSchema{
			"stack_name": {Type: "string", Description: "Name of the stack."},
			"outputs":    {Type: "map", Description: "A dict of key-value pairs output from the stack."},
		},
		// Heat validates the template with the remote Heat before
		// creating; here it is parsed at the parent's validation.
		ValidateFunc: func(resourceName string, props map[string]any) (map[string]any, error) {
			if body, ok := props["template"].(string); ok {
				if _, err := hot.Parse([]byte(body)); err != nil {
					return nil, &engine.Error{Kind: engine.KindInvalid, Code: "StackValidationFailed", Op: "stack.validate",
						Msg: fmt.Sprintf("Failed to validate: : resources.%s: : %s", resourceName, engine.MessageOf(err))}
				}
			}
			return props, nil
		},
	}
}

func (t *remoteStackType) spec(ctx context.Context, rc *RC) (*childSpec, error) {
	tmpl, _ := rc.Properties["template"].(string)
	params, _ := rc.Properties["parameters"].(map[string]any)
	spec := &childSpec{Remote: true, Template: []byte(tmpl), Parameters: params}
	if n, ok := numberOf(rc.Properties["timeout"]); ok && n > 0 {
		spec.TimeoutMins = int(n)
	}
	return spec, t.base().parentSpec(ctx, rc, spec)
}

func (t *remoteStackType) Create(ctx context.Context, rc *RC) (*Outcome, error) {
	spec, err := t.spec(ctx, rc)
	if err != nil {
		return nil, err
	}
	out, err := t.s.ensureChild(ctx, rc, spec)
	return t.settled(ctx, rc, out, err)
}

func (t *remoteStackType) Update(ctx context.Context, rc *RC, _ map[string]any) (*Outcome, error) {
	return t.Create(ctx, rc)
}

func (t *remoteStackType) Check(ctx context.Context, rc *RC) (*Outcome, error) {
	if dataString(rc.Data, "action") == string(engine.ActionDelete) {
		out, err := t.s.checkChild(ctx, rc)
		return t.settled(ctx, rc, out, err)
	}
	return t.Create(ctx, rc)
}

func (t *remoteStackType) Delete(ctx context.Context, rc *RC) (*Outcome, error) {
	return t.s.deleteChild(ctx, rc)
}

func (t *remoteStackType) Signal(ctx context.Context, rc *RC, data json.RawMessage) (string, error) {
	return t.base().Signal(ctx, rc, data)
}

func (t *remoteStackType) settled(ctx context.Context, rc *RC, out *Outcome, err error) (*Outcome, error) {
	if err != nil || !out.Done || dataString(out.Data, "action") == string(engine.ActionDelete) {
		return out, err
	}
	outputs, child, err := t.s.childOutputs(ctx, rc.Stack.ProjectID, out.PhysicalID)
	if err != nil {
		return nil, err
	}
	out.Attributes = map[string]any{"stack_name": child.Name, "outputs": outputs}
	return out, nil
}

// failedLeaf walks down from a failed nested stack to the resource whose
// failure caused it: the path "stack/resource → stack/resource ..." and
// that resource's own reason, so that the root's status reason names the
// leaf (a user need not walk --nested-depth to find it). A stack that
// failed with no failed resource (a timeout) is its own leaf.
func (s *Service) failedLeaf(ctx context.Context, stack *engine.Resource, depth int) (path, reason string, err error) {
	rows, err := s.e.ListResources(ctx, &engine.ResourceListParams{ProjectID: stack.ProjectID, ParentID: stack.ID})
	if err != nil {
		return "", "", err
	}
	var failed *engine.Resource
	for _, r := range rows {
		if r.Status != engine.StatusFailed || strings.HasSuffix(r.StatusReason, " aborted") {
			continue
		}
		if failed == nil || r.UpdatedAt.Before(failed.UpdatedAt) {
			failed = r // the first to fail
		}
	}
	if failed == nil {
		return stack.Name, stack.StatusReason, nil
	}
	if child, err := s.nestedOf(ctx, failed); err != nil {
		return "", "", err
	} else if child != nil && child.Status == engine.StatusFailed && depth < maxNestedDepth {
		p, r, err := s.failedLeaf(ctx, child, depth+1)
		if err != nil {
			return "", "", err
		}
		return stack.Name + "/" + failed.Name + " → " + p, r, nil
	}
	return stack.Name + "/" + failed.Name, failed.StatusReason, nil
}

// facadeOf is what a nested stack's resource_facade reads of the resource
// that makes it.
func facadeOf(rc *RC) map[string]any {
	md := rc.Metadata
	if md == nil {
		md = map[string]any{}
	}
	dp := rc.DeletionPolicy
	if dp == "" {
		dp = "Delete"
	}
	up := rc.UpdatePolicy
	if up == nil {
		up = map[string]any{}
	}
	return map[string]any{"metadata": md, "deletion_policy": dp, "update_policy": up}
}

// eventPurgeBatch is Heat's event_purge_batch_size: how many events go
// at once when a stack is over its limit.
const eventPurgeBatch = 200

// purgeEvents applies max_events_per_stack as a stack settles: over the
// limit, the oldest go (a batch, or down to the limit when it is smaller).
func (s *Service) purgeEvents(ctx context.Context, tx *engine.Tx, stack *engine.Resource) error {
	max := s.cfg.MaxEventsPerStack
	if max <= 0 {
		return nil
	}
	keep := max - eventPurgeBatch + 1
	if keep < 1 {
		keep = max
	}
	_, err := tx.PurgeEvents(ctx, &engine.EventPurgeParams{ProjectID: stack.ProjectID, ResourceIDs: []string{stack.ID},
		ChildrenOf: []string{stack.ID}, Keep: keep, Over: max})
	return err
}

// planValidator is implemented by types that check their properties
// against the plan they are in (a group's member type goes through the
// stack's environment and files).
type planValidator interface {
	validateInPlan(pl *plan, resourceName string, props map[string]any) error
}

// checkMemberType answers Heat's unknown-type error for a group member
// definition whose type neither the registry, the environment nor the
// files know.
func (s *Service) checkMemberType(pl *plan, resourceName string, def map[string]any) error {
	typ, isString := def["type"].(string)
	if !isString {
		return nil // not known yet (deferred to another resource)
	}
	if _, ok := s.typeFor(pl.files, pl.env.ResolveType("", typ)); ok {
		return nil
	}
	return &engine.Error{Kind: engine.KindInvalid, Code: "StackValidationFailed", Op: "stack.validate",
		Msg: fmt.Sprintf("Failed to validate: : resources.%s: : The Resource Type (%s) could not be found.", resourceName, typ)}
}
