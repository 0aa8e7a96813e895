package stacks

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/kilnhq/kiln/internal/engine"
)

// Operation types of stack actions.
const (
	OperationTypeCreate = "heat.stack.create"
	OperationTypeDelete = "heat.stack.delete"
)

// stackOpInput is the input of a stack action operation.
type stackOpInput struct {
	StackID string `json:"stack_id"`
}

// maxParallel bounds how many resources of one stack act at once.
const maxParallel = 16

// createHandler runs a stack create as a reconciler: each pass reads the
// resources' committed states, starts the ones whose dependencies are
// complete, checks the ones in progress, and parks the operation when
// only waiting (for a signal or a time) remains. A resource's state and
// its type's outcome commit together, so the committed states are the
// checkpoint: after a crash the next pass continues where they stand.
type createHandler struct{ s *Service }

func (h *createHandler) Run(ctx context.Context, run *engine.Run) error {
	var in stackOpInput
	if err := run.Input(&in); err != nil {
		return err
	}
	s := h.s
	for {
		stack, err := s.e.GetResource(ctx, run.Operation().ProjectID, in.StackID)
		if err != nil {
			return err
		}
		if stack.Action != engine.ActionCreate || stack.Status != engine.StatusInProgress {
			return nil // settled by someone else (a delete pre-empted it)
		}
		def, _, err := decodeStack(stack)
		if err != nil {
			return err
		}
		pl, err := s.planFor(stack, def)
		if err != nil {
			return s.settleStack(ctx, run, stack, engine.ActionCreate, engine.StatusFailed, err.Error())
		}
		rows, err := s.stackResources(ctx, stack)
		if err != nil {
			return err
		}
		byName := map[string]*engine.Resource{}
		for _, r := range rows {
			if r.DeletedAt == nil {
				byName[r.Name] = r
			}
		}
		var failed []string
		var todo, inProgress []*engine.Resource
		complete := 0
		for _, pr := range pl.resources {
			r := byName[pr.name]
			if r == nil {
				continue
			}
			switch {
			case r.Status == engine.StatusFailed:
				failed = append(failed, fmt.Sprintf("%s", r.StatusReason))
			case r.Action == engine.ActionCreate && r.Status == engine.StatusComplete:
				complete++
			case r.Status == engine.StatusInProgress:
				inProgress = append(inProgress, r)
			case r.Action == engine.ActionInit:
				ready := true
				for _, d := range pr.deps {
					dr := byName[d]
					ready = ready && dr != nil && dr.Action == engine.ActionCreate && dr.Status == engine.StatusComplete
				}
				if ready {
					todo = append(todo, r)
				}
			}
		}
		if len(failed) > 0 {
			return s.failCreate(ctx, run, stack, inProgress, failed[0])
		}
		if complete == len(pl.resources) {
			return s.completeStack(ctx, run, stack, pl, engine.ActionCreate)
		}
		if len(todo) == 0 && len(inProgress) == 0 {
			return s.settleStack(ctx, run, stack, engine.ActionCreate, engine.StatusFailed, "Resource CREATE failed: no resource can start (unsatisfiable dependencies)")
		}
		// Act on everything that can act now, in parallel.
		progressed, wake, err := s.actAll(ctx, run, stack, pl, byName, todo, inProgress)
		if err != nil {
			return err
		}
		if !progressed {
			return run.Wait(wake)
		}
	}
}

// Finish settles the stack when the operation ends without succeeding
// (its deadline, retries running out, a cancel).
func (h *createHandler) Finish(ctx context.Context, tx *engine.Tx, op *engine.Operation, reason string) error {
	return h.s.finishStack(ctx, tx, op, engine.ActionCreate, reason)
}

// finishStack moves a stack still IN_PROGRESS in action to FAILED, naming
// the resources that were still in progress (Heat says only "Timed out").
func (s *Service) finishStack(ctx context.Context, tx *engine.Tx, op *engine.Operation, action engine.Action, reason string) error {
	var in stackOpInput
	if err := json.Unmarshal(op.Input, &in); err != nil {
		return err
	}
	stack, err := tx.GetResource(ctx, op.ProjectID, in.StackID)
	if err != nil || stack.Action != action || stack.Status != engine.StatusInProgress {
		return nil
	}
	rows, err := tx.ListResources(ctx, &engine.ResourceListParams{ProjectID: stack.ProjectID, ParentID: stack.ID})
	if err != nil {
		return err
	}
	var pending []string
	for _, r := range rows {
		if r.Status == engine.StatusInProgress {
			pending = append(pending, r.Name)
			if _, err := tx.UpdateResource(ctx, &engine.ResourceUpdateParams{ID: r.ID, Action: r.Action,
				Status: engine.StatusFailed, StatusReason: fmt.Sprintf("%s aborted", r.Action)}); err != nil {
				return err
			}
		}
	}
	msg := reason
	if strings.Contains(reason, "timed out") {
		msg = "Timed out"
	}
	if len(pending) > 0 {
		sort.Strings(pending)
		msg += " (still in progress: " + strings.Join(pending, ", ") + ")"
	}
	_, err = tx.UpdateResource(ctx, &engine.ResourceUpdateParams{ID: stack.ID, Action: action, Status: engine.StatusFailed, StatusReason: msg})
	return err
}

// actAll starts todo resources and checks in-progress ones. The types run
// in parallel and write nothing; their outcomes are then committed in a
// few transactions (batchSize resources each), each resource's state
// changes and events together. A crash before a commit loses only
// outcomes that the next pass computes again (types are safe to repeat).
// progressed reports whether any resource changed state; wake is the
// earliest time a waiting resource wants a Check.
func (s *Service) actAll(ctx context.Context, run *engine.Run, stack *engine.Resource, pl *plan,
	byName map[string]*engine.Resource, todo, inProgress []*engine.Resource) (progressed bool, wake time.Time, err error) {
	jobs := append(append([]*engine.Resource{}, todo...), inProgress...)
	changes := make([]*resourceChange, len(jobs))
	errs := make([]error, len(jobs))
	sem := make(chan struct{}, maxParallel)
	var wg sync.WaitGroup
	for i, r := range jobs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			changes[i], errs[i] = s.actOne(ctx, stack, pl, byName, r)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return false, time.Time{}, err
		}
	}
	var pending []*resourceChange
	for _, c := range changes {
		if !c.wake.IsZero() && (wake.IsZero() || c.wake.Before(wake)) {
			wake = c.wake
		}
		if len(c.updates) > 0 {
			pending = append(pending, c)
			progressed = progressed || c.progressed
		}
	}
	if err := commitChanges(ctx, run, pending); err != nil {
		return false, time.Time{}, err
	}
	return progressed, wake, nil
}

// batchSize bounds the resources committed in one transaction.
const batchSize = 200

// commitChanges commits resource changes in transactions of batchSize
// resources, each resource's updates (and events) together.
func commitChanges(ctx context.Context, run *engine.Run, pending []*resourceChange) error {
	for len(pending) > 0 {
		n := min(len(pending), batchSize)
		batch := pending[:n]
		pending = pending[n:]
		if err := run.Step(ctx, func(ctx context.Context, tx *engine.Tx) error {
			for _, c := range batch {
				for _, u := range c.updates {
					if _, err := tx.UpdateResource(ctx, u); err != nil {
						return err
					}
				}
			}
			return nil
		}); err != nil {
			return err
		}
	}
	return nil
}

// resourceChange is what one resource's turn in a pass will write.
type resourceChange struct {
	progressed bool
	updates    []*engine.ResourceUpdateParams
	wake       time.Time
}

// actOne starts (INIT) or checks (IN_PROGRESS) one resource and returns
// the state changes to commit.
func (s *Service) actOne(ctx context.Context, stack *engine.Resource, pl *plan,
	byName map[string]*engine.Resource, r *engine.Resource) (*resourceChange, error) {
	fail := func(reason string) (*resourceChange, error) {
		c := &resourceChange{progressed: true}
		if r.Action == engine.ActionInit {
			c.updates = append(c.updates, &engine.ResourceUpdateParams{ID: r.ID, Action: engine.ActionCreate,
				Status: engine.StatusInProgress, StatusReason: "state changed"})
		}
		c.updates = append(c.updates, &engine.ResourceUpdateParams{ID: r.ID, Action: engine.ActionCreate,
			Status: engine.StatusFailed, StatusReason: reason})
		return c, nil
	}
	pr := pl.byName[r.Name]
	typ, ok := s.types.Get(r.Type)
	if !ok || pr == nil {
		return fail(ResourceFailureReason(r.Name, unknownType(r.Name, r.Type)))
	}
	st, _, err := decodeResource(r)
	if err != nil {
		return nil, err
	}
	ref := StackRef{ID: stack.ID, Name: stack.Name, ProjectID: stack.ProjectID}
	starting := r.Action == engine.ActionInit
	var given, props map[string]any
	if starting {
		given, props, err = s.resolveProperties(ctx, pl, pr, stack, byName, typ)
		if err != nil {
			return fail(ResourceFailureReason(r.Name, err))
		}
	} else if err := json.Unmarshal(r.Properties, &props); err != nil {
		return nil, &engine.Error{Kind: engine.KindInternal, Op: "resource.decode", Err: err}
	}
	rc := &RC{Data: st.Data, Metadata: st.Metadata, Name: r.Name, Now: s.e.Now(), PhysicalID: r.PhysicalID,
		Properties: props, Stack: ref, StackAccess: &stackAccess{s: s, stack: stack, byName: byName}}
	if typ.Schema().Signallable {
		sigs, err := s.e.ListSignals(ctx, r.ID)
		if err != nil {
			return nil, err
		}
		rc.Signals = toSignalData(sigs)
	}
	if rc.Data == nil {
		rc.Data = map[string]any{}
	}
	rc.Data["endpoint"] = s.signalURL(ref, r.Name)
	var out *Outcome
	if starting {
		out, err = typ.Create(ctx, rc)
	} else {
		out, err = typ.Check(ctx, rc)
	}
	if err != nil {
		if engine.KindOf(err) == engine.KindUnavailable {
			return nil, err // the engine retries the pass
		}
		return fail(ResourceFailureReason(r.Name, err))
	}
	c := &resourceChange{progressed: starting || out.Done, wake: out.WaitUntil}
	if starting {
		// CREATE_IN_PROGRESS carries the given properties as the event's
		// resource_properties, as Heat's event does.
		c.updates = append(c.updates, &engine.ResourceUpdateParams{ID: r.ID, Action: engine.ActionCreate,
			Status: engine.StatusInProgress, StatusReason: "state changed", Properties: mustJSON(props),
			EventData: mustJSON(given), PhysicalID: out.PhysicalID})
	}
	if !out.Done && !starting && out.Data == nil && out.Attributes == nil && out.PhysicalID == "" {
		return c, nil // nothing new
	}
	nst := *st
	if out.Data != nil {
		nst.Data = out.Data
	}
	if out.Attributes != nil {
		nst.Attributes = out.Attributes
	}
	nst.WaitUntil = nil
	if !out.WaitUntil.IsZero() {
		w := out.WaitUntil.UTC().Format(time.RFC3339Nano)
		nst.WaitUntil = &w
	}
	status, reason := engine.StatusInProgress, "state changed"
	if out.Done {
		status = engine.StatusComplete
		if out.Reason != "" {
			reason = out.Reason
		}
	}
	c.updates = append(c.updates, &engine.ResourceUpdateParams{ID: r.ID, Action: engine.ActionCreate, Status: status,
		StatusReason: reason, PhysicalID: out.PhysicalID, Attributes: mustJSON(nst)})
	return c, nil
}

// failCreate ends a create whose resource failed: other in-progress
// resources are aborted and the stack is CREATE_FAILED with Heat's reason.
func (s *Service) failCreate(ctx context.Context, run *engine.Run, stack *engine.Resource, inProgress []*engine.Resource, reason string) error {
	return run.Step(ctx, func(ctx context.Context, tx *engine.Tx) error {
		for _, r := range inProgress {
			if _, err := tx.UpdateResource(ctx, &engine.ResourceUpdateParams{ID: r.ID, Action: engine.ActionCreate,
				Status: engine.StatusFailed, StatusReason: "CREATE aborted"}); err != nil {
				return err
			}
		}
		_, err := tx.UpdateResource(ctx, &engine.ResourceUpdateParams{ID: stack.ID, Action: engine.ActionCreate,
			Status: engine.StatusFailed, StatusReason: "Resource CREATE failed: " + reason})
		return err
	})
}

// settleStack writes the stack's final state of an action.
func (s *Service) settleStack(ctx context.Context, run *engine.Run, stack *engine.Resource, action engine.Action, status engine.Status, reason string) error {
	return run.Step(ctx, func(ctx context.Context, tx *engine.Tx) error {
		_, err := tx.UpdateResource(ctx, &engine.ResourceUpdateParams{ID: stack.ID, Action: action, Status: status, StatusReason: reason})
		return err
	})
}

// completeStack resolves the outputs and marks the action COMPLETE.
func (s *Service) completeStack(ctx context.Context, run *engine.Run, stack *engine.Resource, pl *plan, action engine.Action) error {
	rows, err := s.stackResources(ctx, stack)
	if err != nil {
		return err
	}
	byName := map[string]*engine.Resource{}
	for _, r := range rows {
		if r.DeletedAt == nil {
			byName[r.Name] = r
		}
	}
	_, st, err := decodeStack(stack)
	if err != nil {
		return err
	}
	st.Outputs = s.resolveOutputs(ctx, pl, stack, byName)
	return run.Step(ctx, func(ctx context.Context, tx *engine.Tx) error {
		_, err := tx.UpdateResource(ctx, &engine.ResourceUpdateParams{ID: stack.ID, Action: action, Status: engine.StatusComplete,
			StatusReason: fmt.Sprintf("Stack %s completed successfully", action), Attributes: mustJSON(st)})
		return err
	})
}

// stackAccess lets a type read sibling resources (a wait condition reads
// its handle's signals).
type stackAccess struct {
	s      *Service
	stack  *engine.Resource
	byName map[string]*engine.Resource
}

func (a *stackAccess) Resource(ctx context.Context, nameOrPhysicalID string) (*RC, error) {
	var r *engine.Resource
	if x, ok := a.byName[nameOrPhysicalID]; ok {
		r = x
	} else {
		for _, x := range a.byName {
			if x.PhysicalID == nameOrPhysicalID {
				r = x
				break
			}
		}
	}
	if r == nil {
		return nil, resourceNotFound("resource.get", nameOrPhysicalID, a.stack.Name)
	}
	// Read it fresh: signals and data may be newer than this pass.
	fresh, err := a.s.e.GetResource(ctx, a.stack.ProjectID, r.ID)
	if err != nil {
		return nil, err
	}
	st, props, err := decodeResource(fresh)
	if err != nil {
		return nil, err
	}
	sigs, err := a.s.e.ListSignals(ctx, fresh.ID)
	if err != nil {
		return nil, err
	}
	return &RC{Data: st.Data, Metadata: st.Metadata, Name: fresh.Name, PhysicalID: fresh.PhysicalID, Properties: props,
		Signals: toSignalData(sigs), Stack: StackRef{ID: a.stack.ID, Name: a.stack.Name, ProjectID: a.stack.ProjectID}}, nil
}

// signalURL is the signal endpoint of a resource, from the public URL.
func (s *Service) signalURL(ref StackRef, name string) string {
	return fmt.Sprintf("%s/v1/%s/stacks/%s/%s/resources/%s/signal", s.cfg.PublicURL, ref.ProjectID, ref.Name, ref.ID, name)
}
