package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kilnhq/kiln/internal/store"
)

func exerciseEvent(t *testing.T, newStore func(t *testing.T) store.Store) {
	t.Helper()
	setup := setupFunc(newStore)

	appendEvent := func(t *testing.T, q store.Querier, ctx context.Context, params *store.EventAppendParams) *store.Event {
		t.Helper()
		if params.ID == "" {
			params.ID = newID()
		}
		if params.Type == "" {
			params.Type = "resource.state"
		}
		event, err := q.EventAppend(ctx, params)
		require.NoError(t, err)
		return event
	}

	seqs := func(events []*store.Event) []int64 {
		out := make([]int64, 0, len(events))
		for _, e := range events {
			out = append(out, e.Seq)
		}
		return out
	}

	t.Run("EventAppend", func(t *testing.T) {
		t.Parallel()

		t.Run("StoresEveryField", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			params := &store.EventAppendParams{
				ID: newID(), Action: "CREATE", Data: json.RawMessage(`{"k":"v"}`), Now: bundle.now,
				OperationID: newID(), PhysicalID: "phys", ProjectID: newID(), Reason: "state changed",
				ResourceID: newID(), ResourceName: "server", ResourceType: "OS::Nova::Server", Status: "IN_PROGRESS",
				Type: "resource.state",
			}
			event, err := bundle.store.EventAppend(bundle.ctx, params)
			require.NoError(t, err)
			require.Equal(t, params.ID, event.ID)
			require.Equal(t, "CREATE", event.Action)
			requireTime(t, bundle.now, event.CreatedAt)
			require.JSONEq(t, `{"k":"v"}`, string(event.Data))
			require.Equal(t, params.OperationID, event.OperationID)
			require.Equal(t, "phys", event.PhysicalID)
			require.Equal(t, params.ProjectID, event.ProjectID)
			require.Equal(t, "state changed", event.Reason)
			require.Equal(t, params.ResourceID, event.ResourceID)
			require.Equal(t, "server", event.ResourceName)
			require.Equal(t, "OS::Nova::Server", event.ResourceType)
			require.Equal(t, int64(1), event.Seq)
			require.Equal(t, "IN_PROGRESS", event.Status)
			require.Equal(t, "resource.state", event.Type)

			got, err := bundle.store.EventGetByID(bundle.ctx, &store.EventGetByIDParams{ID: event.ID, ProjectID: params.ProjectID})
			require.NoError(t, err)
			require.Equal(t, event, got)
		})

		t.Run("NilDataStaysNil", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			event := appendEvent(t, bundle.store, bundle.ctx, &store.EventAppendParams{Now: bundle.now, ProjectID: newID()})
			require.Nil(t, event.Data)
		})

		t.Run("SeqIsPerProject", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			projectA, projectB := newID(), newID()
			for i, projectID := range []string{projectA, projectA, projectB, projectA, projectB} {
				event := appendEvent(t, bundle.store, bundle.ctx, &store.EventAppendParams{Now: bundle.now, ProjectID: projectID})
				want := map[int]int64{0: 1, 1: 2, 2: 1, 3: 3, 4: 2}[i]
				require.Equal(t, want, event.Seq, "event %d", i)
			}
		})

		t.Run("TakenIDIsAlreadyExistsAndLeavesNoGap", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			projectID := newID()
			first := appendEvent(t, bundle.store, bundle.ctx, &store.EventAppendParams{Now: bundle.now, ProjectID: projectID})
			_, err := bundle.store.EventAppend(bundle.ctx, &store.EventAppendParams{ID: first.ID, Now: bundle.now, ProjectID: projectID, Type: "x"})
			require.ErrorIs(t, err, store.ErrAlreadyExists)

			// Inside a transaction that goes on and commits, too.
			err = bundle.store.InTx(bundle.ctx, func(ctx context.Context, tx store.Tx) error {
				_, err := tx.EventAppend(ctx, &store.EventAppendParams{ID: first.ID, Now: bundle.now, ProjectID: projectID, Type: "x"})
				require.ErrorIs(t, err, store.ErrAlreadyExists)
				second := appendEvent(t, tx, ctx, &store.EventAppendParams{Now: bundle.now, ProjectID: projectID})
				require.Equal(t, int64(2), second.Seq)
				return nil
			})
			require.NoError(t, err)

			third := appendEvent(t, bundle.store, bundle.ctx, &store.EventAppendParams{Now: bundle.now, ProjectID: projectID})
			require.Equal(t, int64(3), third.Seq)
		})

		t.Run("RolledBackAppendLeavesNoGap", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			projectID := newID()
			appendEvent(t, bundle.store, bundle.ctx, &store.EventAppendParams{Now: bundle.now, ProjectID: projectID})
			errRollback := errors.New("roll back")
			var rolledBack *store.Event
			err := bundle.store.InTx(bundle.ctx, func(ctx context.Context, tx store.Tx) error {
				rolledBack = appendEvent(t, tx, ctx, &store.EventAppendParams{Now: bundle.now, ProjectID: projectID})
				return errRollback
			})
			require.ErrorIs(t, err, errRollback)
			require.Equal(t, int64(2), rolledBack.Seq)

			_, err = bundle.store.EventGetByID(bundle.ctx, &store.EventGetByIDParams{ID: rolledBack.ID, ProjectID: projectID})
			require.ErrorIs(t, err, store.ErrNotFound)
			next := appendEvent(t, bundle.store, bundle.ctx, &store.EventAppendParams{Now: bundle.now, ProjectID: projectID})
			require.Equal(t, int64(2), next.Seq)
		})

		t.Run("ConcurrentAppendsGetEverySeqOnce", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			const (
				goroutines = 8
				perWorker  = 200
			)
			projectID, otherProjectID := newID(), newID()
			var wg sync.WaitGroup
			errs := make(chan error, goroutines)
			for range goroutines {
				wg.Go(func() {
					for i := range perWorker {
						params := &store.EventAppendParams{ID: newID(), Now: bundle.now, ProjectID: projectID, Type: "x"}
						if i%50 == 0 {
							// Some appends share a transaction with another
							// project's, as a real state change may.
							err := bundle.store.InTx(bundle.ctx, func(ctx context.Context, tx store.Tx) error {
								if _, err := tx.EventAppend(ctx, params); err != nil {
									return err
								}
								_, err := tx.EventAppend(ctx, &store.EventAppendParams{ID: newID(), Now: bundle.now, ProjectID: otherProjectID, Type: "x"})
								return err
							})
							if err != nil {
								errs <- err
								return
							}
							continue
						}
						if _, err := bundle.store.EventAppend(bundle.ctx, params); err != nil {
							errs <- err
							return
						}
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				require.NoError(t, err)
			}

			events, err := bundle.store.EventList(bundle.ctx, &store.EventListParams{ProjectID: projectID})
			require.NoError(t, err)
			require.Len(t, events, goroutines*perWorker)
			for i, e := range events {
				require.Equal(t, int64(i+1), e.Seq)
			}
			others, err := bundle.store.EventList(bundle.ctx, &store.EventListParams{ProjectID: otherProjectID})
			require.NoError(t, err)
			require.Len(t, others, goroutines*perWorker/50)
		})
	})

	t.Run("EventGetByID", func(t *testing.T) {
		t.Parallel()

		t.Run("OtherProjectIsNotFound", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			event := appendEvent(t, bundle.store, bundle.ctx, &store.EventAppendParams{Now: bundle.now, ProjectID: newID()})
			_, err := bundle.store.EventGetByID(bundle.ctx, &store.EventGetByIDParams{ID: event.ID, ProjectID: newID()})
			require.ErrorIs(t, err, store.ErrNotFound)
			_, err = bundle.store.EventGetByID(bundle.ctx, &store.EventGetByIDParams{ID: newID(), ProjectID: event.ProjectID})
			require.ErrorIs(t, err, store.ErrNotFound)
		})
	})

	t.Run("EventList", func(t *testing.T) {
		t.Parallel()

		t.Run("PagesAscendingWithoutDuplicatesOrGaps", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			projectID := newID()
			for range 25 {
				appendEvent(t, bundle.store, bundle.ctx, &store.EventAppendParams{Now: bundle.now, ProjectID: projectID})
			}
			appendEvent(t, bundle.store, bundle.ctx, &store.EventAppendParams{Now: bundle.now, ProjectID: newID()})

			var (
				all      []int64
				afterSeq int64
				pages    int
			)
			for {
				page, err := bundle.store.EventList(bundle.ctx, &store.EventListParams{AfterSeq: afterSeq, Limit: 10, ProjectID: projectID})
				require.NoError(t, err)
				if len(page) == 0 {
					break
				}
				pages++
				all = append(all, seqs(page)...)
				afterSeq = page[len(page)-1].Seq
			}
			require.Equal(t, 3, pages)
			want := make([]int64, 25)
			for i := range want {
				want[i] = int64(i + 1)
			}
			require.Equal(t, want, all)
		})

		t.Run("PagesDescendingWithBeforeSeq", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			projectID := newID()
			for range 7 {
				appendEvent(t, bundle.store, bundle.ctx, &store.EventAppendParams{Now: bundle.now, ProjectID: projectID})
			}

			page, err := bundle.store.EventList(bundle.ctx, &store.EventListParams{Descending: true, Limit: 3, ProjectID: projectID})
			require.NoError(t, err)
			require.Equal(t, []int64{7, 6, 5}, seqs(page))
			page, err = bundle.store.EventList(bundle.ctx, &store.EventListParams{BeforeSeq: 5, Descending: true, Limit: 3, ProjectID: projectID})
			require.NoError(t, err)
			require.Equal(t, []int64{4, 3, 2}, seqs(page))
			page, err = bundle.store.EventList(bundle.ctx, &store.EventListParams{BeforeSeq: 2, Descending: true, Limit: 3, ProjectID: projectID})
			require.NoError(t, err)
			require.Equal(t, []int64{1}, seqs(page))
			page, err = bundle.store.EventList(bundle.ctx, &store.EventListParams{AfterSeq: 2, BeforeSeq: 6, ProjectID: projectID})
			require.NoError(t, err)
			require.Equal(t, []int64{3, 4, 5}, seqs(page))
		})

		t.Run("FiltersByOperationAndResources", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			projectID, operationID, resourceA, resourceB := newID(), newID(), newID(), newID()
			for _, p := range []store.EventAppendParams{
				{OperationID: operationID, ResourceID: resourceA}, // 1
				{ResourceID: resourceB},                           // 2
				{OperationID: operationID},                        // 3
				{ResourceID: newID()},                             // 4
				{ResourceID: resourceA},                           // 5
			} {
				p.Now, p.ProjectID = bundle.now, projectID
				appendEvent(t, bundle.store, bundle.ctx, &p)
			}
			appendEvent(t, bundle.store, bundle.ctx, &store.EventAppendParams{Now: bundle.now, OperationID: operationID, ProjectID: newID()})

			events, err := bundle.store.EventList(bundle.ctx, &store.EventListParams{OperationID: operationID, ProjectID: projectID})
			require.NoError(t, err)
			require.Equal(t, []int64{1, 3}, seqs(events))

			events, err = bundle.store.EventList(bundle.ctx, &store.EventListParams{ProjectID: projectID, ResourceIDs: []string{resourceA, resourceB}})
			require.NoError(t, err)
			require.Equal(t, []int64{1, 2, 5}, seqs(events))

			events, err = bundle.store.EventList(bundle.ctx, &store.EventListParams{OperationID: operationID, ProjectID: projectID, ResourceIDs: []string{resourceA}})
			require.NoError(t, err)
			require.Equal(t, []int64{1}, seqs(events))

			events, err = bundle.store.EventList(bundle.ctx, &store.EventListParams{ProjectID: newID()})
			require.NoError(t, err)
			require.Empty(t, events)
		})

		t.Run("ReadsOutsideATransactionSeeOnlyCommittedEvents", func(t *testing.T) {
			t.Parallel()
			bundle := setup(t)

			projectID := newID()
			err := bundle.store.InTx(bundle.ctx, func(ctx context.Context, tx store.Tx) error {
				appendEvent(t, tx, ctx, &store.EventAppendParams{Now: bundle.now.Add(time.Second), ProjectID: projectID})
				inside, err := tx.EventList(ctx, &store.EventListParams{ProjectID: projectID})
				require.NoError(t, err)
				require.Len(t, inside, 1)
				outside, err := bundle.store.EventList(bundle.ctx, &store.EventListParams{ProjectID: projectID})
				require.NoError(t, err)
				require.Empty(t, outside)
				return nil
			})
			require.NoError(t, err)

			events, err := bundle.store.EventList(bundle.ctx, &store.EventListParams{ProjectID: projectID})
			require.NoError(t, err)
			require.Len(t, events, 1)
		})
	})
}
