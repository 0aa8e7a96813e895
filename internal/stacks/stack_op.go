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
	OperationTypeCreate   = "heat.stack.create"
	OperationTypeDelete   = "heat.stack.delete"
	OperationTypeRestore  = "heat.stack.restore"
	OperationTypeRollback = "heat.stack.rollback"
	OperationTypeUpdate   = "heat.stack.update"
)

// stackOpInput is the input of a stack action operation.
type stackOpInput struct {
	// SnapshotID is the snapshot a restore brings the stack back to.
	SnapshotID string `json:"snapshot_id,omitempty"`
	StackID    string `json:"stack_id"`
}

// maxParallel bounds how many resources of one stack act at once.
const maxParallel = 16

// stackHandler runs a stack create, update or rollback as a reconciler:
// each pass reads the resources' committed states and compares them with
// the plan: it starts resources whose dependencies are settled (new ones
// are created; on update and rollback, changed ones are updated in place
// or replaced, see planUpdate), checks the ones in progress, deletes (on
// update and rollback) the ones the template no longer has and the ones
// replaced, and parks the operation when only waiting (for a signal or a
// time) remains. A resource's state and its type's outcome commit
// together, so the committed states are the checkpoint: after a crash the
// next pass continues where they stand. A failed create or update rolls
// back (see startRollback).
type stackHandler struct {
	action engine.Action // CREATE, UPDATE, RESTORE or ROLLBACK
	s      *Service
}

// job is one resource to act on in a pass, with the action to record.
type job struct {
	action engine.Action
	opID   string // the operation acting
	r      *engine.Resource
	update *updatePlan // an update of an existing resource
}

func (h *stackHandler) Run(ctx context.Context, run *engine.Run) error {
	var in stackOpInput
	if err := run.Input(&in); err != nil {
		return err
	}
	s, action := h.s, h.action
	began := run.Operation().CreatedAt
	var restore map[string]*restoredResource
	for {
		stack, err := s.e.GetResource(ctx, run.Operation().ProjectID, in.StackID)
		if err != nil {
			return err
		}
		if stack.Action != action || stack.Status != engine.StatusInProgress {
			return nil // settled by someone else (a delete pre-empted it)
		}
		def, _, err := decodeStack(stack)
		if err != nil {
			return err
		}
		pl, err := s.planFor(stack, def)
		if err != nil {
			return s.settleStack(ctx, run, stack, action, engine.StatusFailed, engine.MessageOf(err))
		}
		if in.SnapshotID != "" && restore == nil {
			if restore, err = s.loadRestore(ctx, stack.ProjectID, in.SnapshotID, def.Files); err != nil {
				return err
			}
		}
		pl.restore = restore
		rows, err := s.stackResources(ctx, stack)
		if err != nil {
			return err
		}
		byName := map[string]*engine.Resource{}
		var retiredRows []*engine.Resource // replaced: deleted at the end
		for _, r := range rows {
			switch {
			case r.DeletedAt != nil:
			case retired(r):
				retiredRows = append(retiredRows, r)
			default:
				byName[r.Name] = r
			}
		}
		var failed string
		var failedAction engine.Action
		var jobs []job
		var inProgress []*engine.Resource
		settled := map[string]bool{}
		// Walk in dependency order so that "settled" is known for every
		// dependency of a resource before the resource itself.
		for _, level := range pl.graph.Levels() {
			for _, name := range level {
				pr := pl.byName[name]
				r := byName[name]
				if pr == nil || r == nil {
					continue
				}
				depsSettled := true
				for _, d := range pr.deps {
					depsSettled = depsSettled && settled[d]
				}
				switch {
				case r.Status == engine.StatusFailed && r.UpdatedAt.After(began):
					if failed == "" {
						failed, failedAction = r.StatusReason, r.Action
					}
				case r.Status == engine.StatusInProgress:
					inProgress = append(inProgress, r)
					jobs = append(jobs, job{action: r.Action, r: r})
				case r.Action == engine.ActionInit:
					if depsSettled {
						jobs = append(jobs, job{action: engine.ActionCreate, r: r})
					}
				case action == engine.ActionCreate && r.Status == engine.StatusComplete:
					settled[name] = true
				default: // an update or rollback: settled unless changed (or failed before)
					if !depsSettled {
						continue
					}
					up, err := s.planUpdate(ctx, pl, pr, r, stack, byName)
					if err != nil {
						return err
					}
					if up != nil {
						jobs = append(jobs, job{action: engine.ActionUpdate, opID: run.Operation().ID, r: r, update: up})
					} else {
						settled[name] = true
					}
				}
			}
		}
		if failed != "" {
			return s.failAction(ctx, run, stack, action, failedAction, inProgress, failed)
		}
		if len(jobs) == 0 && len(settled) == len(pl.resources) {
			// On update, remove what the template no longer has, and
			// the resources replaced.
			var removed []*engine.Resource
			for _, r := range byName {
				if pl.byName[r.Name] == nil {
					removed = append(removed, r)
				}
			}
			removed = append(removed, retiredRows...)
			if len(removed) > 0 {
				progressed, wake, err := s.deleteRemoved(ctx, run, stack, action, removed)
				if err != nil {
					return err
				}
				if !progressed {
					return run.Wait(wake)
				}
				continue
			}
			return s.completeStack(ctx, run, stack, pl, action)
		}
		if len(jobs) == 0 {
			return s.settleStack(ctx, run, stack, action, engine.StatusFailed,
				fmt.Sprintf("Resource %s failed: no resource can start (unsatisfiable dependencies)", action))
		}
		progressed, wake, err := s.actAll(ctx, run, stack, pl, byName, jobs)
		if err != nil {
			return err
		}
		if !progressed {
			return run.Wait(wake)
		}
	}
}

// deleteRemoved deletes, on update, the resources the template no longer
// has and the ones replaced, dependents first.
func (s *Service) deleteRemoved(ctx context.Context, run *engine.Run, stack *engine.Resource, action engine.Action, removed []*engine.Resource) (bool, time.Time, error) {
	live := map[string]bool{}
	for _, r := range removed {
		live[r.Name] = true
	}
	var pending []*resourceChange
	progressed := false
	var wake time.Time
	for _, r := range removed {
		if r.Action == engine.ActionDelete && r.Status == engine.StatusFailed {
			// progressed: the next pass sees the stack settled.
			return true, time.Time{}, s.failAction(ctx, run, stack, action, engine.ActionDelete, nil, r.StatusReason)
		}
		st, props, err := decodeResource(r)
		if err != nil {
			return false, time.Time{}, err
		}
		blocked := false
		for _, dep := range st.RequiredBy {
			blocked = blocked || live[dep]
		}
		if blocked {
			continue
		}
		c, err := s.deleteOne(ctx, stack, r, st, props)
		if err != nil {
			return false, time.Time{}, err
		}
		progressed = progressed || c.progressed
		if !c.wake.IsZero() && (wake.IsZero() || c.wake.Before(wake)) {
			wake = c.wake
		}
		if len(c.updates) > 0 {
			pending = append(pending, c)
		}
	}
	return progressed, wake, commitChanges(ctx, run, pending)
}

// Finish settles the stack when the operation ends without succeeding
// (its deadline, retries running out, a cancel).
func (h *stackHandler) Finish(ctx context.Context, tx *engine.Tx, op *engine.Operation, reason string) error {
	return h.s.finishAction(ctx, tx, op, h.action, reason)
}

// actingStack reads, in a Finisher's transaction, the stack of the
// operation when it is still IN_PROGRESS in action (nil otherwise).
func actingStack(ctx context.Context, tx *engine.Tx, op *engine.Operation, action engine.Action) (*engine.Resource, error) {
	var in stackOpInput
	if err := json.Unmarshal(op.Input, &in); err != nil {
		return nil, err
	}
	stack, err := tx.GetResource(ctx, op.ProjectID, in.StackID)
	if err != nil || stack.Action != action || stack.Status != engine.StatusInProgress {
		return nil, nil
	}
	return stack, nil
}

// finishStack moves a stack still IN_PROGRESS in action to FAILED, naming
// the resources that were still in progress (Heat says only "Timed out").
func (s *Service) finishStack(ctx context.Context, tx *engine.Tx, op *engine.Operation, action engine.Action, reason string) error {
	stack, err := actingStack(ctx, tx, op, action)
	if err != nil || stack == nil {
		return err
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
	err = s.settle(ctx, tx, stack, &engine.ResourceUpdateParams{ID: stack.ID, Action: action, Status: engine.StatusFailed, StatusReason: msg})
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
	byName map[string]*engine.Resource, jobs []job) (progressed bool, wake time.Time, err error) {
	changes := make([]*resourceChange, len(jobs))
	errs := make([]error, len(jobs))
	sem := make(chan struct{}, maxParallel)
	var wg sync.WaitGroup
	for i, j := range jobs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			changes[i], errs[i] = s.actOne(ctx, stack, pl, byName, j)
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
				for _, cr := range c.creates {
					if _, err := tx.CreateResource(ctx, cr); err != nil {
						return err
					}
				}
				for _, u := range c.updates {
					if _, err := tx.UpdateResource(ctx, u); err != nil {
						return err
					}
				}
				for _, commit := range c.commits {
					if err := commit(ctx, tx); err != nil {
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

// resourceChange is what one resource's turn in a pass will write: new
// rows (a replacement) first, then state changes.
type resourceChange struct {
	// commits run after the updates (Outcome.Commit).
	commits    []func(ctx context.Context, tx *engine.Tx) error
	creates    []*engine.ResourceCreateParams
	progressed bool
	updates    []*engine.ResourceUpdateParams
	wake       time.Time
}

// actOne starts (INIT, or changed on update) or checks (IN_PROGRESS) one
// resource and returns the state changes to commit.
func (s *Service) actOne(ctx context.Context, stack *engine.Resource, pl *plan,
	byName map[string]*engine.Resource, j job) (*resourceChange, error) {
	r, act := j.r, j.action
	if j.update != nil && j.update.kind != updateInPlace {
		return updateChange(r, pl.byName[r.Name], j.opID, j.update)
	}
	starting := r.Status != engine.StatusInProgress
	fail := func(reason string) (*resourceChange, error) {
		c := &resourceChange{progressed: true}
		if starting {
			c.updates = append(c.updates, &engine.ResourceUpdateParams{ID: r.ID, Action: act,
				Status: engine.StatusInProgress, StatusReason: "state changed"})
		}
		c.updates = append(c.updates, &engine.ResourceUpdateParams{ID: r.ID, Action: act,
			Status: engine.StatusFailed, StatusReason: reason})
		return c, nil
	}
	pr := pl.byName[r.Name]
	st, _, err := decodeResource(r)
	if err != nil {
		return nil, err
	}
	typ, ok := s.typeFor(pl.files, implType(r, st))
	if !ok || pr == nil {
		return fail(ResourceFailureReason(r.Name, unknownType(r.Name, implType(r, st))))
	}
	ref := StackRef{ID: stack.ID, Name: stack.Name, ProjectID: stack.ProjectID}
	var given, props map[string]any
	if starting {
		given, props, err = s.resolveProperties(ctx, pl, pr, stack, byName, typ)
		if err != nil {
			return fail(ResourceFailureReason(r.Name, err))
		}
		// The template's metadata, resolved now that the dependencies
		// exist (GET .../metadata, and resource_facade in a nested stack).
		ectx := &evalContext{byName: byName, pl: pl, s: s}
		md, err := pl.tmpl.ResolveMetadata(ectx, pr.name)
		if err != nil {
			return fail(ResourceFailureReason(r.Name, err))
		}
		st.Metadata = md
		st.DeletionPolicy = pl.deletionPolicy(pr.name)
		st.UpdatePolicy, _ = pl.tmpl.ResolveUpdatePolicy(ectx, pr.name)
	} else if err := json.Unmarshal(r.Properties, &props); err != nil {
		return nil, &engine.Error{Kind: engine.KindInternal, Op: "resource.decode", Err: err}
	}
	rc := &RC{Data: st.Data, ID: r.ID, Metadata: st.Metadata, Name: r.Name, Now: s.e.Now(), PhysicalID: r.PhysicalID,
		Properties: props, Stack: ref, StackAccess: &stackAccess{s: s, stack: stack, byName: byName},
		DeletionPolicy: st.DeletionPolicy, UpdatePolicy: st.UpdatePolicy}
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
	if want := pl.restore[r.Name]; starting && j.update == nil && want != nil && want.typ == r.Type {
		// A restore creates the resource as its snapshot had it.
		for k, v := range want.data {
			rc.Data[k] = v
		}
	}
	rc.Data["endpoint"] = s.signalURL(ref, r.Name)
	var out *Outcome
	switch {
	case starting && j.update != nil:
		out, err = s.updateInPlace(ctx, typ, rc, r)
	case starting:
		out, err = typ.Create(ctx, rc)
	default:
		out, err = typ.Check(ctx, rc)
	}
	if err != nil {
		if engine.KindOf(err) == engine.KindUnavailable {
			return nil, err // the engine retries the pass
		}
		if j.update != nil && starting && engine.CodeOf(err) == CodeUpdateReplace {
			return replaceChange(r, pr, j.opID, true, engine.MessageOf(err))
		}
		return fail(ResourceFailureReason(r.Name, err))
	}
	c := &resourceChange{progressed: starting || out.Done, wake: out.WaitUntil}
	if out.Commit != nil {
		c.commits = append(c.commits, out.Commit)
	}
	if starting {
		// CREATE_IN_PROGRESS carries the given properties as the event's
		// resource_properties, as Heat's event does.
		c.updates = append(c.updates, &engine.ResourceUpdateParams{ID: r.ID, Action: act,
			Status: engine.StatusInProgress, StatusReason: "state changed", Properties: mustJSON(props),
			EventData: mustJSON(given), PhysicalID: out.PhysicalID})
	}
	if !out.Done && !starting && out.Data == nil && out.Attributes == nil && out.PhysicalID == "" {
		return c, nil // nothing new
	}
	// st carries the metadata and policies resolved above when starting.
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
	c.updates = append(c.updates, &engine.ResourceUpdateParams{ID: r.ID, Action: act, Status: status,
		StatusReason: reason, PhysicalID: out.PhysicalID, Attributes: mustJSON(nst)})
	return c, nil
}

// failAction ends an action whose resource failed: other in-progress
// resources are aborted and the stack is <ACTION>_FAILED with Heat's
// reason, which names the failed resource's action ("Resource CREATE
// failed: ..." for a resource created during an update).
func (s *Service) failAction(ctx context.Context, run *engine.Run, stack *engine.Resource, action, resAction engine.Action,
	inProgress []*engine.Resource, reason string) error {
	return run.Step(ctx, func(ctx context.Context, tx *engine.Tx) error {
		for _, r := range inProgress {
			if _, err := tx.UpdateResource(ctx, &engine.ResourceUpdateParams{ID: r.ID, Action: r.Action,
				Status: engine.StatusFailed, StatusReason: fmt.Sprintf("%s aborted", r.Action)}); err != nil {
				return err
			}
		}
		if err := s.settle(ctx, tx, stack, &engine.ResourceUpdateParams{ID: stack.ID, Action: action,
			Status: engine.StatusFailed, StatusReason: fmt.Sprintf("Resource %s failed: %s", resAction, reason)}); err != nil {
			return err
		}
		return s.rollbackFailed(ctx, tx, run.Operation().ID, stack, action)
	})
}

// settleStack writes the stack's final state of an action.
func (s *Service) settleStack(ctx context.Context, run *engine.Run, stack *engine.Resource, action engine.Action, status engine.Status, reason string) error {
	return run.Step(ctx, func(ctx context.Context, tx *engine.Tx) error {
		err := s.settle(ctx, tx, stack, &engine.ResourceUpdateParams{ID: stack.ID, Action: action, Status: status, StatusReason: reason})
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
		err := s.settle(ctx, tx, stack, &engine.ResourceUpdateParams{ID: stack.ID, Action: action, Status: engine.StatusComplete,
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
	return &RC{Data: st.Data, ID: fresh.ID, Metadata: st.Metadata, Name: fresh.Name, PhysicalID: fresh.PhysicalID, Properties: props,
		Signals: toSignalData(sigs), Stack: StackRef{ID: a.stack.ID, Name: a.stack.Name, ProjectID: a.stack.ProjectID}}, nil
}

// signalURL is the signal endpoint of a resource, from the public URL.
func (s *Service) signalURL(ref StackRef, name string) string {
	return fmt.Sprintf("%s/v1/%s/stacks/%s/%s/resources/%s/signal", s.cfg.PublicURL, ref.ProjectID, ref.Name, ref.ID, name)
}
