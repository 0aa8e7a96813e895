package stacks

import (
	"context"
	"fmt"
	"time"

	"github.com/kilnhq/kiln/internal/engine"
)

// defaultTimeoutMins is Heat's stack_action_timeout (3600 s).
const defaultTimeoutMins = 60

// newStack validates a create request and builds what is stored.
func (s *Service) newStack(p *CreateParams, stackID string) (*stackDef, *plan, error) {
	return s.newStackWithEnv(p, stackID, nil)
}

// newStackWithEnv is newStack with a stored environment (an update that
// keeps it) merged before the request's environment documents.
func (s *Service) newStackWithEnv(p *CreateParams, stackID string, envMap map[string]any) (*stackDef, *plan, error) {
	const op = "stack.create"
	if p.nested != nil && p.nested.Depth > maxNestedDepth {
		return nil, nil, &engine.Error{Kind: engine.KindInvalid, Code: "RequestLimitExceeded", Op: op,
			Msg: fmt.Sprintf("Request limit exceeded: Recursion depth exceeds %d.", maxNestedDepth)}
	}
	if err := validateStackName(op, p.Name); err != nil {
		return nil, nil, err
	}
	if len(p.Template) == 0 {
		return nil, nil, &engine.Error{Kind: engine.KindInvalid, Code: "HTTPBadRequest", Op: op, Msg: "No template specified"}
	}
	for _, t := range p.Tags {
		if len(t) > 80 {
			return nil, nil, &engine.Error{Kind: engine.KindInvalid, Code: "HTTPBadRequest", Op: op,
				Msg: fmt.Sprintf("Invalid tag, %q is longer than 80 characters", t)}
		}
	}
	var facade map[string]any
	if p.nested != nil {
		facade = p.nested.Facade
	}
	in := &planInput{envMap: envMap, facade: facade, files: p.Files, given: p.Parameters, projectID: p.Caller.ProjectID, stackID: stackID,
		stackName: p.Name, template: p.Template}
	if len(p.Environment) > 0 {
		in.envDocs = append(in.envDocs, p.Environment)
	}
	for _, name := range p.EnvironmentFiles {
		doc, ok := p.Files[name]
		if !ok {
			return nil, nil, &engine.Error{Kind: engine.KindInvalid, Code: "HTTPBadRequest", Op: op,
				Msg: fmt.Sprintf("Environment file %s not found in files", name)}
		}
		in.envDocs = append(in.envDocs, []byte(doc))
	}
	pl, err := s.buildPlan(in)
	if err != nil {
		return nil, nil, err
	}
	desc := pl.tmpl.Description
	if desc == "" {
		desc = "No description"
	}
	def := &stackDef{
		Description: desc, DisableRollback: true, Environment: pl.env.Map(), Files: p.Files,
		Owner: p.Caller.UserName, Parameters: p.Parameters, Tags: p.Tags, Template: mustJSON(pl.tmpl.Doc),
		TimeoutMins: defaultTimeoutMins, Nested: p.nested,
	}
	if p.DisableRollback != nil {
		def.DisableRollback = *p.DisableRollback
	}
	if p.TimeoutMins != nil {
		if *p.TimeoutMins <= 0 {
			return nil, nil, &engine.Error{Kind: engine.KindInvalid, Code: "HTTPBadRequest", Op: op,
				Msg: fmt.Sprintf("Invalid timeout value %d", *p.TimeoutMins)}
		}
		def.TimeoutMins = *p.TimeoutMins
	}
	return def, pl, nil
}

// paramStrings renders resolved parameters as Heat shows them: strings.
func paramStrings(params map[string]any) map[string]string {
	out := make(map[string]string, len(params))
	for k, v := range params {
		switch x := v.(type) {
		case string:
			out[k] = x
		case nil:
			out[k] = "None"
		case bool:
			if x {
				out[k] = "True"
			} else {
				out[k] = "False"
			}
		case float64:
			if x == float64(int64(x)) {
				out[k] = fmt.Sprintf("%d", int64(x))
			} else {
				out[k] = fmt.Sprint(x)
			}
		default:
			out[k] = string(mustJSON(x))
		}
	}
	return out
}

// CreateStack implements API: validate, store the stack and its resources
// (INIT_COMPLETE) and submit the create operation, in one transaction.
func (s *Service) CreateStack(ctx context.Context, p *CreateParams) (*Stack, error) {
	p.nested = nil // only a resource makes a nested stack
	created, def, err := s.createStack(ctx, p, "")
	if err != nil {
		return nil, err
	}
	_, st, err := decodeStack(created)
	if err != nil {
		return nil, err
	}
	return stackFromResource(created, def, st, false), nil
}

// createStack stores a stack, its resources and its create operation in
// one transaction. parentID is the engine id of the resource that makes a
// nested stack ("" for a stack of the API).
func (s *Service) createStack(ctx context.Context, p *CreateParams, parentID string) (*engine.Resource, *stackDef, error) {
	d, err := s.draftStack(p, parentID)
	if err != nil {
		return nil, nil, err
	}
	var created *engine.Resource
	err = s.e.InTx(ctx, func(ctx context.Context, tx *engine.Tx) error {
		created, err = s.insertStack(ctx, tx, d)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return created, d.def, nil
}

// stackDraft is a validated stack, ready to be stored.
type stackDraft struct {
	def      *stackDef
	id       string
	p        *CreateParams
	parentID string
	pl       *plan
}

// draftStack validates a create and gives the stack its id.
func (s *Service) draftStack(p *CreateParams, parentID string) (*stackDraft, error) {
	stackID := engine.NewUUID()
	def, pl, err := s.newStack(p, stackID)
	if err != nil {
		return nil, err
	}
	return &stackDraft{def: def, id: stackID, p: p, parentID: parentID, pl: pl}, nil
}

// insertStack stores a drafted stack, its resources and its create
// operation in tx.
func (s *Service) insertStack(ctx context.Context, tx *engine.Tx, d *stackDraft) (*engine.Resource, error) {
	const op = "stack.create"
	p, def, pl, stackID, parentID := d.p, d.def, d.pl, d.id, d.parentID
	opID := engine.NewUUID()
	live, err := tx.ListResources(ctx, &engine.ResourceListParams{ProjectID: p.Caller.ProjectID, Type: stackKind})
	if err != nil {
		return nil, err
	}
	count := 0
	for _, r := range live {
		if r.Name == p.Name {
			return nil, &engine.Error{Kind: engine.KindConflict, Code: "StackExists", Op: op, Resource: "stack", ID: r.ID,
				Msg: fmt.Sprintf("The Stack (%s) already exists.", p.Name)}
		}
		if r.ParentID == "" {
			count++
		}
	}
	if count >= s.cfg.MaxStacksPerProject {
		return nil, &engine.Error{Kind: engine.KindInvalid, Code: "RequestLimitExceeded", Op: op,
			Msg: fmt.Sprintf("Request limit exceeded: You have reached the maximum stacks per tenant, %d. Please delete some stacks.", s.cfg.MaxStacksPerProject)}
	}
	st := &stackState{OperationID: opID, Parameters: paramStrings(pl.params)}
	created, err := tx.CreateResource(ctx, &engine.ResourceCreateParams{
		ID: stackID, ProjectID: p.Caller.ProjectID, ParentID: parentID, Type: stackKind, Name: p.Name, PhysicalID: stackID,
		Action: engine.ActionCreate, Status: engine.StatusInProgress, StatusReason: "Stack CREATE started",
		Properties: mustJSON(def), Attributes: mustJSON(st), UniqueKey: stackKind + ":" + p.Name,
	})
	if engine.KindOf(err) == engine.KindConflict {
		// A concurrent create took the name after our check.
		return nil, &engine.Error{Kind: engine.KindConflict, Code: "StackExists", Op: op,
			Msg: fmt.Sprintf("The Stack (%s) already exists.", p.Name)}
	}
	if err != nil {
		return nil, err
	}
	for _, pr := range pl.resources {
		rs := newResourceState(pr)
		if _, err := tx.CreateResource(ctx, &engine.ResourceCreateParams{
			ProjectID: p.Caller.ProjectID, ParentID: stackID, Type: pr.def.Type, Name: pr.name,
			Action: engine.ActionInit, Status: engine.StatusComplete, Attributes: mustJSON(rs),
		}); err != nil {
			return nil, err
		}
	}
	_, _, err = tx.Submit(ctx, &engine.SubmitParams{
		ID: opID, Type: OperationTypeCreate, ProjectID: p.Caller.ProjectID, ResourceID: stackID,
		Input: stackOpInput{StackID: stackID}, Timeout: time.Duration(def.TimeoutMins) * time.Minute, MaxAttempts: 10,
	})
	return created, err
}
