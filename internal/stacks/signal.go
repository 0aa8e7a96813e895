package stacks

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/kilnhq/kiln/internal/engine"
)

// SignalResource implements API: the signal is validated by the resource's
// type, stored durably with its SIGNAL event, and wakes the stack's
// operation; the type handles it when the operation runs.
func (s *Service) SignalResource(ctx context.Context, ref StackRef, name string, data json.RawMessage) error {
	const op = "resource.signal"
	stack, err := s.loadStack(ctx, ref)
	if err != nil {
		return err
	}
	r, err := s.findResource(ctx, stack, name)
	if err != nil {
		return err
	}
	if r.Action == engine.ActionSuspend || r.Action == engine.ActionDelete {
		return &engine.Error{Kind: engine.KindInvalid, Code: "NotSupported", Op: op,
			Msg: fmt.Sprintf("Signal resource during %s is not supported.", r.Action)}
	}
	st, props, err := decodeResource(r)
	if err != nil {
		return err
	}
	typ, ok := s.typeFor(nil, implType(r, st))
	if !ok || !typ.Schema().Signallable {
		return ErrNotSignallable
	}
	sigs, err := s.e.ListSignals(ctx, r.ID)
	if err != nil {
		return err
	}
	rc := &RC{Data: st.Data, ID: r.ID, Metadata: st.Metadata, Name: r.Name, Now: s.e.Now(), PhysicalID: r.PhysicalID,
		Properties: props, Signals: toSignalData(sigs), Stack: ref}
	reason, err := typ.Signal(ctx, rc, data)
	if err != nil {
		return err
	}
	_, sst, err := decodeStack(stack)
	if err != nil {
		return err
	}
	key := ""
	var body struct {
		ID any `json:"id"`
	}
	if json.Unmarshal(data, &body) == nil && body.ID != nil {
		key = fmt.Sprint(body.ID)
	}
	p := &engine.SignalParams{
		Data: data, IdempotencyKey: key, ProjectID: stack.ProjectID, TargetID: r.ID, WakeOperationID: sst.OperationID,
		Event: &engine.EventParams{
			Type: EventTypeSignal, ProjectID: stack.ProjectID, ResourceID: r.ID, ResourceName: r.Name,
			ResourceType: r.Type, PhysicalID: r.PhysicalID, Action: "SIGNAL", Status: "COMPLETE", Reason: reason,
			OperationID: sst.OperationID,
		},
	}
	if _, ok := typ.(signalActor); !ok {
		_, _, err = s.e.Signal(ctx, p)
		return err
	}
	// A scaling policy: the signal and the operation that handles it
	// commit together.
	p.WakeOperationID, p.Event.OperationID = "", ""
	return s.e.InTx(ctx, func(ctx context.Context, tx *engine.Tx) error {
		sig, created, err := tx.Signal(ctx, p)
		if err != nil || !created {
			return err
		}
		_, _, err = tx.Submit(ctx, &engine.SubmitParams{Type: OperationTypeScale, ProjectID: stack.ProjectID,
			ResourceID: r.ID, IdempotencyKey: "signal:" + sig.ID, Input: scaleInput{PolicyID: r.ID, StackID: stack.ID},
			MaxAttempts: 10, Timeout: time.Duration(defaultTimeoutMins) * time.Minute})
		return err
	})
}

func toSignalData(sigs []*engine.Signal) []SignalData {
	out := make([]SignalData, len(sigs))
	for i, sg := range sigs {
		out[i] = SignalData{Data: sg.Data, ID: sg.IdempotencyKey, Time: sg.CreatedAt}
	}
	return out
}
