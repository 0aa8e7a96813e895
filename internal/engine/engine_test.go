package engine_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kilnhq/kiln/internal/engine"
	"github.com/kilnhq/kiln/internal/engine/enginetest"
	"github.com/kilnhq/kiln/internal/store"
)

func TestCheckTransition(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		fromA     engine.Action
		fromS     engine.Status
		toA       engine.Action
		toS       engine.Status
		wantKind  engine.Kind
		wantNoErr bool
	}{
		{name: "InitToCreate", fromA: engine.ActionInit, fromS: engine.StatusComplete, toA: engine.ActionCreate, toS: engine.StatusInProgress, wantNoErr: true},
		{name: "CreateInProgressToComplete", fromA: engine.ActionCreate, fromS: engine.StatusInProgress, toA: engine.ActionCreate, toS: engine.StatusComplete, wantNoErr: true},
		{name: "CreateInProgressToFailed", fromA: engine.ActionCreate, fromS: engine.StatusInProgress, toA: engine.ActionCreate, toS: engine.StatusFailed, wantNoErr: true},
		{name: "CreateInProgressReportsProgress", fromA: engine.ActionCreate, fromS: engine.StatusInProgress, toA: engine.ActionCreate, toS: engine.StatusInProgress, wantNoErr: true},
		{name: "CreateInProgressToUpdateRefused", fromA: engine.ActionCreate, fromS: engine.StatusInProgress, toA: engine.ActionUpdate, toS: engine.StatusInProgress, wantKind: engine.KindConflict},
		{name: "CreateInProgressToOtherCompleteRefused", fromA: engine.ActionCreate, fromS: engine.StatusInProgress, toA: engine.ActionUpdate, toS: engine.StatusComplete, wantKind: engine.KindConflict},
		{name: "DeletePreemptsInProgress", fromA: engine.ActionUpdate, fromS: engine.StatusInProgress, toA: engine.ActionDelete, toS: engine.StatusInProgress, wantNoErr: true},
		{name: "RollbackPreemptsInProgress", fromA: engine.ActionUpdate, fromS: engine.StatusInProgress, toA: engine.ActionRollback, toS: engine.StatusInProgress, wantNoErr: true},
		{name: "CompleteToUpdate", fromA: engine.ActionCreate, fromS: engine.StatusComplete, toA: engine.ActionUpdate, toS: engine.StatusInProgress, wantNoErr: true},
		{name: "FailedToDelete", fromA: engine.ActionCreate, fromS: engine.StatusFailed, toA: engine.ActionDelete, toS: engine.StatusInProgress, wantNoErr: true},
		{name: "CompleteMarkedCheckFailed", fromA: engine.ActionCreate, fromS: engine.StatusComplete, toA: engine.ActionCheck, toS: engine.StatusFailed, wantNoErr: true},
		{name: "CompleteSkipsInProgressRefused", fromA: engine.ActionCreate, fromS: engine.StatusComplete, toA: engine.ActionUpdate, toS: engine.StatusComplete, wantKind: engine.KindConflict},
		{name: "DeleteCompleteIsFinal", fromA: engine.ActionDelete, fromS: engine.StatusComplete, toA: engine.ActionCreate, toS: engine.StatusInProgress, wantKind: engine.KindConflict},
		{name: "UnknownActionInvalid", fromA: engine.ActionCreate, fromS: engine.StatusComplete, toA: "EXPLODE", toS: engine.StatusInProgress, wantKind: engine.KindInvalid},
		{name: "UnknownStatusInvalid", fromA: engine.ActionCreate, fromS: engine.StatusComplete, toA: engine.ActionUpdate, toS: "MAYBE", wantKind: engine.KindInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := engine.CheckTransition(tt.fromA, tt.fromS, tt.toA, tt.toS)
			if tt.wantNoErr {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			require.Equal(t, tt.wantKind, engine.KindOf(err))
		})
	}
}

type testBundle struct {
	e     *engine.Engine
	store store.Store
}

func forEachBackend(t *testing.T, fn func(t *testing.T, setup func(t *testing.T, cfg *engine.Config, handlers map[string]engine.Handler) *testBundle)) {
	for _, b := range enginetest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			fn(t, func(t *testing.T, cfg *engine.Config, handlers map[string]engine.Handler) *testBundle {
				t.Helper()
				st := b.Open(t)
				return &testBundle{e: enginetest.NewEngine(t, st, cfg, handlers), store: st}
			})
		})
	}
}

const project = "0123456789abcdef0123456789abcdef"

func submit(t *testing.T, e *engine.Engine, in engine.SleepCountInput, mut func(p *engine.SubmitParams)) *engine.Operation {
	t.Helper()
	p := &engine.SubmitParams{Type: engine.OperationTypeSleepCount, ProjectID: project, Input: in}
	if mut != nil {
		mut(p)
	}
	op, created, err := e.Submit(context.Background(), p)
	require.NoError(t, err)
	require.True(t, created)
	return op
}

func stepNumbers(t *testing.T, e *engine.Engine, opID string) []int {
	t.Helper()
	evs, err := e.ListEvents(context.Background(), &engine.EventListParams{ProjectID: project, OperationID: opID})
	require.NoError(t, err)
	var steps []int
	for _, ev := range evs {
		if ev.Type == engine.EventTypeOperationStep {
			var d struct{ Step int }
			require.NoError(t, json.Unmarshal(ev.Data, &d))
			steps = append(steps, d.Step)
		}
	}
	return steps
}

func TestEngine(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, setup func(*testing.T, *engine.Config, map[string]engine.Handler) *testBundle) {
		t.Run("SleepCountCompletesEachStepOnce", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t, nil, nil)
			op := submit(t, bundle.e, engine.SleepCountInput{Steps: 5, SleepMS: 1}, nil)
			require.Equal(t, engine.OperationStatePending, op.State)
			done := enginetest.WaitOperation(t, bundle.e, op.ID)
			require.Equal(t, engine.OperationStateSucceeded, done.State, done.Error)
			require.JSONEq(t, `{"count":5}`, string(done.Result))
			require.NotNil(t, done.StartedAt)
			require.NotNil(t, done.FinishedAt)
			require.Equal(t, []int{1, 2, 3, 4, 5}, stepNumbers(t, bundle.e, op.ID))

			r, err := bundle.e.GetResource(context.Background(), project, op.ID)
			require.NoError(t, err)
			require.Equal(t, "CREATE_COMPLETE", r.String())
			require.JSONEq(t, `{"count":5}`, string(r.Attributes))

			// Operation states were logged in order, with gap-free seqs.
			evs, err := bundle.e.ListEvents(context.Background(), &engine.EventListParams{ProjectID: project, OperationID: op.ID})
			require.NoError(t, err)
			var states []string
			for i, ev := range evs {
				if i > 0 {
					require.Equal(t, evs[i-1].Seq+1, ev.Seq)
				}
				if ev.Type == engine.EventTypeOperationState {
					states = append(states, ev.Status)
				}
			}
			require.Equal(t, []string{"pending", "running", "succeeded"}, states)
		})

		t.Run("IdempotencyKeyReturnsFirstOperation", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t, nil, nil)
			var wg sync.WaitGroup
			ids := make([]string, 8)
			for i := range ids {
				wg.Add(1)
				go func() {
					defer wg.Done()
					op, _, err := bundle.e.Submit(context.Background(), &engine.SubmitParams{
						Type: engine.OperationTypeSleepCount, ProjectID: project, IdempotencyKey: "same",
						Input: engine.SleepCountInput{Steps: 1},
					})
					require.NoError(t, err)
					ids[i] = op.ID
				}()
			}
			wg.Wait()
			for _, id := range ids {
				require.Equal(t, ids[0], id)
			}
			ops, err := bundle.e.ListOperations(context.Background(), &engine.OperationListParams{ProjectID: project})
			require.NoError(t, err)
			require.Len(t, ops, 1)
		})

		t.Run("UnknownTypeInvalid", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t, nil, nil)
			_, _, err := bundle.e.Submit(context.Background(), &engine.SubmitParams{Type: "nope", ProjectID: project})
			require.Equal(t, engine.KindInvalid, engine.KindOf(err))
			ops, err := bundle.e.ListOperations(context.Background(), &engine.OperationListParams{ProjectID: project})
			require.NoError(t, err)
			require.Empty(t, ops)
		})

		t.Run("SignalWakesWaitingOperationOnce", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t, nil, nil)
			op := submit(t, bundle.e, engine.SleepCountInput{Steps: 2, WaitForSignal: true}, nil)
			require.Eventually(t, func() bool {
				got, err := bundle.e.GetOperation(context.Background(), project, op.ID)
				require.NoError(t, err)
				return got.State == engine.OperationStateWaiting
			}, 10*time.Second, 5*time.Millisecond)

			var wg sync.WaitGroup
			var mu sync.Mutex
			created := 0
			for range 10 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, c, err := bundle.e.Signal(context.Background(), &engine.SignalParams{
						ProjectID: project, TargetID: op.ID, WakeOperationID: op.ID, IdempotencyKey: "sig-1",
						Data: json.RawMessage(`{"status":"SUCCESS"}`),
					})
					require.NoError(t, err)
					if c {
						mu.Lock()
						created++
						mu.Unlock()
					}
				}()
			}
			wg.Wait()
			require.Equal(t, 1, created)
			done := enginetest.WaitOperation(t, bundle.e, op.ID)
			require.Equal(t, engine.OperationStateSucceeded, done.State, done.Error)
			sigs, err := bundle.e.ListSignals(context.Background(), op.ID)
			require.NoError(t, err)
			require.Len(t, sigs, 1)
			require.NotNil(t, sigs[0].ConsumedAt)
		})

		t.Run("RetriesThenFails", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t, nil, nil)
			op := submit(t, bundle.e, engine.SleepCountInput{Steps: 3, FailAtStep: 2}, func(p *engine.SubmitParams) { p.MaxAttempts = 3 })
			done := enginetest.WaitOperation(t, bundle.e, op.ID)
			require.Equal(t, engine.OperationStateFailed, done.State)
			require.Equal(t, "step 2 failed (injected)", done.Error)
			require.Equal(t, 2, done.Attempt)
			// Step 1 committed once although the handler ran three times.
			require.Equal(t, []int{1}, stepNumbers(t, bundle.e, op.ID))
		})

		t.Run("CancelStopsRunningHandler", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t, nil, nil)
			op := submit(t, bundle.e, engine.SleepCountInput{Steps: 1, SleepMS: 60_000}, nil)
			require.Eventually(t, func() bool {
				got, err := bundle.e.GetOperation(context.Background(), project, op.ID)
				require.NoError(t, err)
				return got.State == engine.OperationStateRunning
			}, 10*time.Second, 5*time.Millisecond)
			_, err := bundle.e.Cancel(context.Background(), project, op.ID)
			require.NoError(t, err)
			done := enginetest.WaitOperation(t, bundle.e, op.ID)
			require.Equal(t, engine.OperationStateCancelled, done.State)
			_, err = bundle.e.Cancel(context.Background(), project, op.ID)
			require.Equal(t, engine.KindConflict, engine.KindOf(err))
		})

		t.Run("CancelWaitingOperation", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t, nil, nil)
			op := submit(t, bundle.e, engine.SleepCountInput{Steps: 1, WaitForSignal: true}, nil)
			require.Eventually(t, func() bool {
				got, err := bundle.e.GetOperation(context.Background(), project, op.ID)
				require.NoError(t, err)
				return got.State == engine.OperationStateWaiting
			}, 10*time.Second, 5*time.Millisecond)
			_, err := bundle.e.Cancel(context.Background(), project, op.ID)
			require.NoError(t, err)
			require.Equal(t, engine.OperationStateCancelled, enginetest.WaitOperation(t, bundle.e, op.ID).State)
		})

		t.Run("CancelInOtherProjectNotFound", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t, nil, nil)
			op := submit(t, bundle.e, engine.SleepCountInput{Steps: 1, WaitForSignal: true}, nil)
			_, err := bundle.e.Cancel(context.Background(), strings.Repeat("f", 32), op.ID)
			require.Equal(t, engine.KindNotFound, engine.KindOf(err))
		})

		t.Run("TimeoutFailsWithReason", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t, nil, nil)
			op := submit(t, bundle.e, engine.SleepCountInput{Steps: 1, SleepMS: 60_000}, func(p *engine.SubmitParams) { p.Timeout = 300 * time.Millisecond })
			done := enginetest.WaitOperation(t, bundle.e, op.ID)
			require.Equal(t, engine.OperationStateFailed, done.State)
			require.Contains(t, done.Error, "timed out")
		})

		t.Run("TimeoutEndsWaitingOperation", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t, nil, nil)
			op := submit(t, bundle.e, engine.SleepCountInput{Steps: 1, WaitForSignal: true}, func(p *engine.SubmitParams) { p.Timeout = 300 * time.Millisecond })
			done := enginetest.WaitOperation(t, bundle.e, op.ID)
			require.Equal(t, engine.OperationStateFailed, done.State)
			require.Contains(t, done.Error, "timed out")
		})

		t.Run("PanickingHandlerFailsOperation", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t, nil, map[string]engine.Handler{"test.panic": engine.HandlerFunc(func(context.Context, *engine.Run) error {
				panic("boom")
			})})
			op, _, err := bundle.e.Submit(context.Background(), &engine.SubmitParams{Type: "test.panic", ProjectID: project})
			require.NoError(t, err)
			done := enginetest.WaitOperation(t, bundle.e, op.ID)
			require.Equal(t, engine.OperationStateFailed, done.State)
			require.Equal(t, "internal error", done.Error)
		})

		t.Run("StaleRunCannotWrite", func(t *testing.T) {
			t.Parallel()
			release := make(chan struct{})
			stepErr := make(chan error, 1)
			bundle := setup(t, &engine.Config{LeaseTTL: time.Hour}, map[string]engine.Handler{"test.block": engine.HandlerFunc(func(ctx context.Context, run *engine.Run) error {
				<-release
				err := run.Step(context.WithoutCancel(ctx), func(ctx context.Context, tx *engine.Tx) error {
					_, err := tx.AppendEvent(ctx, &engine.EventParams{Type: "test.stale", ProjectID: project})
					return err
				})
				stepErr <- err
				return err
			})})
			op, _, err := bundle.e.Submit(context.Background(), &engine.SubmitParams{Type: "test.block", ProjectID: project})
			require.NoError(t, err)
			require.Eventually(t, func() bool {
				got, err := bundle.e.GetOperation(context.Background(), project, op.ID)
				require.NoError(t, err)
				return got.State == engine.OperationStateRunning
			}, 10*time.Second, 5*time.Millisecond)
			// Another node takes the lease as if it had expired.
			far := time.Now().Add(2 * time.Hour)
			_, err = bundle.store.OperationLeaseAcquire(context.Background(), &store.OperationLeaseAcquireParams{
				ID: op.ID, ExpiresAt: far.Add(time.Hour), Now: far, Owner: "thief", Token: "thief-token",
			})
			require.NoError(t, err)
			close(release)
			err = <-stepErr
			require.Equal(t, engine.KindUnavailable, engine.KindOf(err))
			var lost *store.LeaseLostError
			require.True(t, errors.As(err, &lost))
			evs, err := bundle.e.ListEvents(context.Background(), &engine.EventListParams{ProjectID: project})
			require.NoError(t, err)
			for _, ev := range evs {
				require.NotEqual(t, "test.stale", ev.Type)
			}
		})

		t.Run("StopHandsBackRunningOperation", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t, nil, nil)
			op := submit(t, bundle.e, engine.SleepCountInput{Steps: 3, SleepMS: 200}, nil)
			require.Eventually(t, func() bool {
				return len(stepNumbers(t, bundle.e, op.ID)) >= 1
			}, 10*time.Second, 5*time.Millisecond)
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			require.NoError(t, bundle.e.Stop(ctx))
			got, err := bundle.e.GetOperation(context.Background(), project, op.ID)
			require.NoError(t, err)
			require.Equal(t, engine.OperationStatePending, got.State, "handed back, not failed")

			// Another engine on the same store finishes it from its checkpoint.
			other := enginetest.NewEngine(t, bundle.store, nil, nil)
			done := enginetest.WaitOperation(t, other, op.ID)
			require.Equal(t, engine.OperationStateSucceeded, done.State, done.Error)
			require.Equal(t, []int{1, 2, 3}, stepNumbers(t, other, op.ID))
		})

		t.Run("FinisherSettlesDomainOnFailureAndTimeout", func(t *testing.T) {
			t.Parallel()
			h := &finishingHandler{}
			bundle := setup(t, nil, map[string]engine.Handler{"test.finish": h})
			ctx := context.Background()
			for _, tc := range []struct {
				input      string
				timeout    time.Duration
				wantReason string
			}{
				{input: `"fail"`, wantReason: "boom"},
				{input: `"wait"`, timeout: 200 * time.Millisecond, wantReason: "operation timed out"},
			} {
				var r *engine.Resource
				var op *engine.Operation
				require.NoError(t, bundle.e.InTx(ctx, func(ctx context.Context, tx *engine.Tx) error {
					var err error
					r, err = tx.CreateResource(ctx, &engine.ResourceCreateParams{ProjectID: project, Type: "T", Name: "r", Action: engine.ActionCreate, Status: engine.StatusInProgress})
					if err != nil {
						return err
					}
					op, _, err = tx.Submit(ctx, &engine.SubmitParams{Type: "test.finish", ProjectID: project, ResourceID: r.ID, Input: json.RawMessage(tc.input), Timeout: tc.timeout})
					return err
				}))
				done := enginetest.WaitOperation(t, bundle.e, op.ID)
				require.Equal(t, engine.OperationStateFailed, done.State)
				got, err := bundle.e.GetResource(ctx, project, r.ID)
				require.NoError(t, err)
				require.Equal(t, "CREATE_FAILED", got.String())
				require.Contains(t, got.StatusReason, tc.wantReason)
			}
		})

		t.Run("ResourceOptimisticVersion", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t, nil, nil)
			ctx := context.Background()
			var r *engine.Resource
			require.NoError(t, bundle.e.InTx(ctx, func(ctx context.Context, tx *engine.Tx) error {
				var err error
				r, err = tx.CreateResource(ctx, &engine.ResourceCreateParams{ProjectID: project, Type: "T", Name: "r"})
				return err
			}))
			update := func(version int64) error {
				return bundle.e.InTx(ctx, func(ctx context.Context, tx *engine.Tx) error {
					_, err := tx.UpdateResource(ctx, &engine.ResourceUpdateParams{ID: r.ID, ExpectedVersion: version, Action: engine.ActionCreate, Status: engine.StatusInProgress})
					return err
				})
			}
			require.NoError(t, update(r.Version))
			err := update(r.Version)
			require.Equal(t, engine.KindConflict, engine.KindOf(err))
			got, err := bundle.e.GetResource(ctx, project, r.ID)
			require.NoError(t, err)
			require.Equal(t, r.Version+1, got.Version)
			require.Equal(t, "CREATE_IN_PROGRESS", got.String())
		})

		t.Run("FailedTransactionWritesNothing", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t, nil, nil)
			ctx := context.Background()
			err := bundle.e.InTx(ctx, func(ctx context.Context, tx *engine.Tx) error {
				if _, err := tx.CreateResource(ctx, &engine.ResourceCreateParams{ProjectID: project, Type: "T", Name: "r"}); err != nil {
					return err
				}
				if _, _, err := tx.Submit(ctx, &engine.SubmitParams{Type: engine.OperationTypeSleepCount, ProjectID: project, Input: engine.SleepCountInput{Steps: 1}}); err != nil {
					return err
				}
				return engine.Invalid("test", "changed my mind")
			})
			require.Equal(t, engine.KindInvalid, engine.KindOf(err))
			rs, err := bundle.e.ListResources(ctx, &engine.ResourceListParams{ProjectID: project})
			require.NoError(t, err)
			require.Empty(t, rs)
			evs, err := bundle.e.ListEvents(ctx, &engine.EventListParams{ProjectID: project})
			require.NoError(t, err)
			require.Empty(t, evs)
			ops, err := bundle.e.ListOperations(ctx, &engine.OperationListParams{ProjectID: project})
			require.NoError(t, err)
			require.Empty(t, ops)
		})

		t.Run("ManyConcurrentOperations", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t, nil, nil)
			ids := make([]string, 40)
			for i := range ids {
				ids[i] = submit(t, bundle.e, engine.SleepCountInput{Steps: 3}, func(p *engine.SubmitParams) { p.IdempotencyKey = fmt.Sprint(i) }).ID
			}
			for _, id := range ids {
				done := enginetest.WaitOperation(t, bundle.e, id)
				require.Equal(t, engine.OperationStateSucceeded, done.State, done.Error)
				require.Equal(t, []int{1, 2, 3}, stepNumbers(t, bundle.e, id))
			}
		})
	})
}

// finishingHandler fails or waits forever, and settles its resource in
// Finish.
type finishingHandler struct{}

func (h *finishingHandler) Run(ctx context.Context, run *engine.Run) error {
	var mode string
	if err := run.Input(&mode); err != nil {
		return err
	}
	if mode == "fail" {
		return engine.Invalid("test", "boom")
	}
	return run.Wait(time.Time{})
}

func (h *finishingHandler) Finish(ctx context.Context, tx *engine.Tx, op *engine.Operation, reason string) error {
	_, err := tx.UpdateResource(ctx, &engine.ResourceUpdateParams{ID: op.ResourceID, Action: engine.ActionCreate, Status: engine.StatusFailed, StatusReason: reason})
	return err
}
