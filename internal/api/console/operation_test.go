package console_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kilnhq/kiln/internal/engine"
	"github.com/kilnhq/kiln/internal/engine/enginetest"
)

func TestOperationCreate(t *testing.T) {
	t.Parallel()

	type testBundle struct {
		*consoleServer
	}

	setup := func(t *testing.T) *testBundle {
		t.Helper()
		return &testBundle{consoleServer: newConsoleServer(t)}
	}

	t.Run("CreatedThenIdempotent", func(t *testing.T) {
		t.Parallel()
		bundle := setup(t)
		body := `{"type":"kiln.sleep_count","input":{"steps":2},"idempotency_key":"k1"}`
		resp := bundle.do(t, http.MethodPost, apiPrefix+"/operations", bundle.adminToken, body)
		require.Equal(t, http.StatusCreated, resp.status, "%s", resp.body)
		op := decodeOperation(t, resp)
		self := publicURL + apiPrefix + "/operations/" + op.ID
		require.Equal(t, self, resp.header.Get("Location"))
		require.Len(t, op.Links, 1)
		require.Equal(t, "self", op.Links[0].Rel)
		require.Equal(t, self, op.Links[0].Href)
		require.Equal(t, adminProjectID, op.ProjectID)
		requireGolden(t, "operation_create.Created", resp, op.ID, "OPERATION_ID")

		// The same key answers 200 with the first operation, whatever its state.
		resp = bundle.do(t, http.MethodPost, apiPrefix+"/operations", bundle.adminToken, body)
		require.Equal(t, http.StatusOK, resp.status, "%s", resp.body)
		require.Equal(t, op.ID, decodeOperation(t, resp).ID)
		require.Equal(t, self, resp.header.Get("Location"))

		done := enginetest.WaitOperation(t, bundle.engine, op.ID)
		require.Equal(t, engine.OperationStateSucceeded, done.State)
		resp = bundle.do(t, http.MethodPost, apiPrefix+"/operations", bundle.adminToken, body)
		require.Equal(t, http.StatusOK, resp.status, "%s", resp.body)
		require.Equal(t, op.ID, decodeOperation(t, resp).ID)

		ops, err := bundle.engine.ListOperations(context.Background(), &engine.OperationListParams{ProjectID: adminProjectID, Limit: 10})
		require.NoError(t, err)
		require.Len(t, ops, 1)

		resp = bundle.do(t, http.MethodGet, apiPrefix+"/operations/"+op.ID, bundle.adminToken, "")
		require.Equal(t, http.StatusOK, resp.status, "%s", resp.body)
		got := decodeOperation(t, resp)
		require.Equal(t, "succeeded", got.State)
		require.JSONEq(t, `{"count":2}`, string(got.Result))
		requireGolden(t, "operation_get.Succeeded", resp, op.ID, "OPERATION_ID")
	})

	t.Run("DefaultsAndTimeout", func(t *testing.T) {
		t.Parallel()
		bundle := setup(t)
		resp := bundle.do(t, http.MethodPost, apiPrefix+"/operations", bundle.adminToken,
			`{"type":"kiln.sleep_count","max_attempts":2,"timeout_seconds":600}`)
		require.Equal(t, http.StatusCreated, resp.status, "%s", resp.body)
		op := decodeOperation(t, resp)
		require.JSONEq(t, `{}`, string(op.Input))
		requireGolden(t, "operation_create.WithTimeout", resp, op.ID, "OPERATION_ID")
	})

	t.Run("Invalid", func(t *testing.T) {
		t.Parallel()
		bundle := setup(t)

		tests := []struct {
			name string
			body string
		}{
			{name: "EmptyBody", body: ""},
			{name: "MalformedJSON", body: `{"type":`},
			{name: "MaxAttemptsTooHigh", body: `{"type":"kiln.sleep_count","max_attempts":101}`},
			{name: "MissingType", body: `{"input":{"steps":1}}`},
			{name: "NegativeTimeout", body: `{"type":"kiln.sleep_count","timeout_seconds":-1}`},
			{name: "NotAnObject", body: `["kiln.sleep_count"]`},
			{name: "TrailingData", body: `{"type":"kiln.sleep_count"} {"type":"kiln.sleep_count"}`},
			{name: "UnknownField", body: `{"type":"kiln.sleep_count","colour":"red"}`},
			{name: "UnknownType", body: `{"type":"kiln.nope"}`},
			{name: "WrongFieldType", body: `{"type":"kiln.sleep_count","timeout_seconds":"10"}`},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				resp := bundle.do(t, http.MethodPost, apiPrefix+"/operations", bundle.adminToken, tt.body)
				requireError(t, resp, http.StatusBadRequest, "invalid", "operation_create."+tt.name)
				require.Empty(t, resp.header.Get("Location"))
			})
		}
		t.Cleanup(func() { bundle.requireNoOperations(t, adminProjectID) })
	})
}

func TestOperationGet(t *testing.T) {
	t.Parallel()

	type testBundle struct {
		*consoleServer
		// otherOpID is an operation of otherProjectID, created by otherToken.
		otherOpID      string
		otherProjectID string
		otherToken     string
	}

	setup := func(t *testing.T) *testBundle {
		t.Helper()
		s := newConsoleServer(t)
		projectID, token := s.newProjectMember(t, "olivia")
		op := s.create(t, token, `{"type":"kiln.sleep_count","input":{"steps":0}}`)
		return &testBundle{consoleServer: s, otherOpID: op.ID, otherProjectID: projectID, otherToken: token}
	}
	// One server for the subtests (password hashing is slow under -race);
	// only OtherProjectIsNotFound creates operations.
	bundle := setup(t)

	t.Run("Unknown", func(t *testing.T) {
		t.Parallel()
		resp := bundle.do(t, http.MethodGet, apiPrefix+"/operations/0b7f1ed4-5a0e-4b7e-9b43-2d8b0e3c1a11", bundle.adminToken, "")
		requireError(t, resp, http.StatusNotFound, "not_found", "operation_get.NotFound")
		resp = bundle.do(t, http.MethodGet, apiPrefix+"/operations/not-a-uuid", bundle.adminToken, "")
		requireError(t, resp, http.StatusNotFound, "not_found", "")
	})

	t.Run("OtherProjectIsNotFound", func(t *testing.T) {
		t.Parallel()
		// The owner sees it.
		resp := bundle.do(t, http.MethodGet, apiPrefix+"/operations/"+bundle.otherOpID, bundle.otherToken, "")
		require.Equal(t, http.StatusOK, resp.status, "%s", resp.body)
		require.Equal(t, bundle.otherProjectID, decodeOperation(t, resp).ProjectID)

		// The admin of another project does not: the console acts in the
		// token's project only, and says "not found", not "forbidden".
		resp = bundle.do(t, http.MethodGet, apiPrefix+"/operations/"+bundle.otherOpID, bundle.adminToken, "")
		requireError(t, resp, http.StatusNotFound, "not_found", "operation_get.OtherProject")
		resp = bundle.do(t, http.MethodPost, apiPrefix+"/operations/"+bundle.otherOpID+"/cancel", bundle.adminToken, "")
		requireError(t, resp, http.StatusNotFound, "not_found", "")
		resp = bundle.do(t, http.MethodPost, apiPrefix+"/operations/"+bundle.otherOpID+"/signals", bundle.adminToken, `{}`)
		requireError(t, resp, http.StatusNotFound, "not_found", "")
		signals, err := bundle.engine.ListSignals(context.Background(), bundle.otherOpID)
		require.NoError(t, err)
		require.Empty(t, signals)

		// Lists are per project too.
		resp = bundle.do(t, http.MethodGet, apiPrefix+"/operations", bundle.adminToken, "")
		require.Empty(t, decodeOperations(t, resp))
		resp = bundle.do(t, http.MethodGet, apiPrefix+"/operations", bundle.otherToken, "")
		ops := decodeOperations(t, resp)
		require.Len(t, ops, 1)
		require.Equal(t, bundle.otherOpID, ops[0].ID)

		// And the other way round.
		mine := bundle.create(t, bundle.adminToken, `{"type":"kiln.sleep_count"}`)
		resp = bundle.do(t, http.MethodGet, apiPrefix+"/operations/"+mine.ID, bundle.otherToken, "")
		requireError(t, resp, http.StatusNotFound, "not_found", "")
	})
}

func TestOperationList(t *testing.T) {
	t.Parallel()

	type testBundle struct {
		*consoleServer
		// ids of the operations in creation order; failedID's failed, the
		// others succeeded. Terminal states only, so that filters on
		// state give stable answers.
		ids      []string
		failedID string
	}

	setup := func(t *testing.T) *testBundle {
		t.Helper()
		s := newConsoleServer(t)
		bundle := &testBundle{consoleServer: s}
		for i := range 5 {
			body := `{"type":"kiln.sleep_count","input":{"steps":0}}`
			if i == 2 {
				body = `{"type":"kiln.sleep_count","input":{"steps":1,"fail_at_step":1},"max_attempts":1}`
			}
			op := s.create(t, s.adminToken, body)
			bundle.ids = append(bundle.ids, op.ID)
		}
		bundle.failedID = bundle.ids[2]
		for _, id := range bundle.ids {
			want := "succeeded"
			if id == bundle.failedID {
				want = "failed"
			}
			s.waitState(t, s.adminToken, id, want)
		}
		return bundle
	}
	// The subtests only read, so they share one server.
	bundle := setup(t)

	list := func(t *testing.T, bundle *testBundle, query url.Values) []*operation {
		t.Helper()
		resp := bundle.do(t, http.MethodGet, apiPrefix+"/operations?"+query.Encode(), bundle.adminToken, "")
		require.Equal(t, http.StatusOK, resp.status, "%s", resp.body)
		return decodeOperations(t, resp)
	}

	ids := func(ops []*operation) []string {
		out := make([]string, len(ops))
		for i, op := range ops {
			out[i] = op.ID
		}
		return out
	}

	t.Run("All", func(t *testing.T) {
		t.Parallel()
		require.Equal(t, bundle.ids, ids(list(t, bundle, nil)))
	})

	t.Run("Empty", func(t *testing.T) {
		t.Parallel()
		_, token := bundle.newProjectMember(t, "emma")
		resp := bundle.do(t, http.MethodGet, apiPrefix+"/operations", token, "")
		require.Equal(t, http.StatusOK, resp.status)
		requireGolden(t, "operation_list.Empty", resp)
	})

	t.Run("StateFilter", func(t *testing.T) {
		t.Parallel()
		require.Equal(t, []string{bundle.failedID}, ids(list(t, bundle, url.Values{"state": {"failed"}})))
		succeeded := list(t, bundle, url.Values{"state": {"succeeded"}})
		require.Equal(t, []string{bundle.ids[0], bundle.ids[1], bundle.ids[3], bundle.ids[4]}, ids(succeeded))
		for _, op := range succeeded {
			require.Equal(t, "succeeded", op.State)
		}
		require.Empty(t, list(t, bundle, url.Values{"state": {"cancelled"}}))
		require.Empty(t, list(t, bundle, url.Values{"state": {"no-such-state"}}))
	})

	t.Run("TypeFilter", func(t *testing.T) {
		t.Parallel()
		require.Len(t, list(t, bundle, url.Values{"type": {"kiln.sleep_count"}}), 5)
		require.Empty(t, list(t, bundle, url.Values{"type": {"kiln.other"}}))
	})

	t.Run("LimitAndMarkerPaging", func(t *testing.T) {
		t.Parallel()
		for _, limit := range []int{1, 2, 5} {
			var got []string
			marker := ""
			for page := 0; ; page++ {
				require.Less(t, page, 10, "paging does not end")
				q := url.Values{"limit": {strconv.Itoa(limit)}}
				if marker != "" {
					q.Set("marker", marker)
				}
				ops := list(t, bundle, q)
				if len(ops) == 0 {
					break
				}
				require.LessOrEqual(t, len(ops), limit)
				got = append(got, ids(ops)...)
				marker = ops[len(ops)-1].ID
			}
			require.Equal(t, bundle.ids, got, "limit %d", limit)
		}

		// Paging combines with the state filter.
		page := list(t, bundle, url.Values{"state": {"succeeded"}, "limit": {"2"}})
		require.Equal(t, []string{bundle.ids[0], bundle.ids[1]}, ids(page))
		page = list(t, bundle, url.Values{"state": {"succeeded"}, "limit": {"2"}, "marker": {bundle.ids[1]}})
		require.Equal(t, []string{bundle.ids[3], bundle.ids[4]}, ids(page))
	})

	t.Run("BadLimit", func(t *testing.T) {
		t.Parallel()
		tests := []struct {
			name  string
			limit string
		}{
			{name: "Zero", limit: "0"},
			{name: "Negative", limit: "-1"},
			{name: "TooHigh", limit: "1001"},
			{name: "NotANumber", limit: "ten"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				resp := bundle.do(t, http.MethodGet, apiPrefix+"/operations?limit="+tt.limit, bundle.adminToken, "")
				requireError(t, resp, http.StatusBadRequest, "invalid", "operation_list.BadLimit")
			})
		}
	})
}

func TestOperationCancel(t *testing.T) {
	t.Parallel()

	type testBundle struct {
		*consoleServer
	}

	setup := func(t *testing.T) *testBundle {
		t.Helper()
		return &testBundle{consoleServer: newConsoleServer(t)}
	}
	// Each subtest works on its own operation, so they share one server.
	bundle := setup(t)

	t.Run("RunningThenFinished", func(t *testing.T) {
		t.Parallel()
		// The handler sleeps a minute in its first step while holding the
		// lease, so "running" with checkpoint {"next":1} is a stable state
		// to cancel from.
		op := bundle.create(t, bundle.adminToken, `{"type":"kiln.sleep_count","input":{"steps":1,"sleep_ms":60000}}`)
		require.Eventually(t, func() bool {
			got, err := bundle.engine.GetOperation(context.Background(), adminProjectID, op.ID)
			require.NoError(t, err)
			return got.State == engine.OperationStateRunning && string(got.Checkpoint) == `{"next":1}`
		}, 20*time.Second, 5*time.Millisecond)

		resp := bundle.do(t, http.MethodPost, apiPrefix+"/operations/"+op.ID+"/cancel", bundle.adminToken, "")
		require.Equal(t, http.StatusAccepted, resp.status, "%s", resp.body)
		require.True(t, decodeOperation(t, resp).CancelRequested)
		requireGolden(t, "operation_cancel.Accepted", resp, op.ID, "OPERATION_ID")

		// The running handler is interrupted at once, not after its sleep.
		done := bundle.waitState(t, bundle.adminToken, op.ID, "cancelled")
		require.True(t, done.CancelRequested)

		resp = bundle.do(t, http.MethodPost, apiPrefix+"/operations/"+op.ID+"/cancel", bundle.adminToken, "")
		requireError(t, resp, http.StatusConflict, "conflict", "operation_cancel.Finished")
	})

	t.Run("Waiting", func(t *testing.T) {
		t.Parallel()
		op := bundle.create(t, bundle.adminToken, `{"type":"kiln.sleep_count","input":{"steps":1,"wait_for_signal":true}}`)
		bundle.waitState(t, bundle.adminToken, op.ID, "waiting")
		resp := bundle.do(t, http.MethodPost, apiPrefix+"/operations/"+op.ID+"/cancel", bundle.adminToken, "")
		require.Equal(t, http.StatusAccepted, resp.status, "%s", resp.body)
		require.True(t, decodeOperation(t, resp).CancelRequested)
		// Cancelling wakes the parked operation, which then ends cancelled
		// without a signal.
		bundle.waitState(t, bundle.adminToken, op.ID, "cancelled")
		signals, err := bundle.engine.ListSignals(context.Background(), op.ID)
		require.NoError(t, err)
		require.Empty(t, signals)
	})

	t.Run("Succeeded", func(t *testing.T) {
		t.Parallel()
		op := bundle.create(t, bundle.adminToken, `{"type":"kiln.sleep_count","input":{"steps":0}}`)
		bundle.waitState(t, bundle.adminToken, op.ID, "succeeded")
		resp := bundle.do(t, http.MethodPost, apiPrefix+"/operations/"+op.ID+"/cancel", bundle.adminToken, "")
		requireError(t, resp, http.StatusConflict, "conflict", "")
		// The refused cancel changed nothing.
		got := bundle.waitState(t, bundle.adminToken, op.ID, "succeeded")
		require.False(t, got.CancelRequested)
	})

	t.Run("Unknown", func(t *testing.T) {
		t.Parallel()
		resp := bundle.do(t, http.MethodPost, apiPrefix+"/operations/0b7f1ed4-5a0e-4b7e-9b43-2d8b0e3c1a11/cancel", bundle.adminToken, "")
		requireError(t, resp, http.StatusNotFound, "not_found", "operation_cancel.NotFound")
	})
}

func TestOperationSignal(t *testing.T) {
	t.Parallel()

	type testBundle struct {
		*consoleServer
		// op waits for a signal.
		op *operation
	}

	// One server for all subtests; each gets its own waiting operation.
	srv := newConsoleServer(t)
	setup := func(t *testing.T) *testBundle {
		t.Helper()
		op := srv.create(t, srv.adminToken, `{"type":"kiln.sleep_count","input":{"steps":1,"wait_for_signal":true}}`)
		srv.waitState(t, srv.adminToken, op.ID, "waiting")
		return &testBundle{consoleServer: srv, op: op}
	}

	type signalBody struct {
		Signal struct {
			ID             string          `json:"id"`
			Data           json.RawMessage `json:"data"`
			IdempotencyKey string          `json:"idempotency_key"`
			TargetID       string          `json:"target_id"`
		} `json:"signal"`
	}

	t.Run("IdempotentAndWakes", func(t *testing.T) {
		t.Parallel()
		bundle := setup(t)
		path := apiPrefix + "/operations/" + bundle.op.ID + "/signals"
		body := `{"idempotency_key":"go-1","data":{"go":true}}`

		resp := bundle.do(t, http.MethodPost, path, bundle.adminToken, body)
		require.Equal(t, http.StatusCreated, resp.status, "%s", resp.body)
		var first signalBody
		require.NoError(t, json.Unmarshal(resp.body, &first))
		require.Equal(t, bundle.op.ID, first.Signal.TargetID)
		require.Equal(t, "go-1", first.Signal.IdempotencyKey)
		require.JSONEq(t, `{"go":true}`, string(first.Signal.Data))
		requireGolden(t, "operation_signal.Created", resp, bundle.op.ID, "OPERATION_ID", first.Signal.ID, "SIGNAL_ID")

		resp = bundle.do(t, http.MethodPost, path, bundle.adminToken, body)
		require.Equal(t, http.StatusOK, resp.status, "%s", resp.body)
		var second signalBody
		require.NoError(t, json.Unmarshal(resp.body, &second))
		require.Equal(t, first.Signal.ID, second.Signal.ID)

		done := bundle.waitState(t, bundle.adminToken, bundle.op.ID, "succeeded")
		require.JSONEq(t, `{"count":1}`, string(done.Result))

		// Counted once: one signal stored, one signal event.
		signals, err := bundle.engine.ListSignals(context.Background(), bundle.op.ID)
		require.NoError(t, err)
		require.Len(t, signals, 1)
		require.NotNil(t, signals[0].ConsumedAt)
		events, err := bundle.engine.ListEvents(context.Background(), &engine.EventListParams{
			ProjectID: adminProjectID, OperationID: bundle.op.ID, Limit: 1000})
		require.NoError(t, err)
		n := 0
		for _, ev := range events {
			if ev.Type == engine.EventTypeSignal {
				n++
			}
		}
		require.Equal(t, 1, n)

		// A retry after the operation finished still answers the first signal.
		resp = bundle.do(t, http.MethodPost, path, bundle.adminToken, body)
		require.Equal(t, http.StatusOK, resp.status, "%s", resp.body)
	})

	t.Run("WithoutKeyEachCounts", func(t *testing.T) {
		t.Parallel()
		bundle := setup(t)
		path := apiPrefix + "/operations/" + bundle.op.ID + "/signals"
		resp := bundle.do(t, http.MethodPost, path, bundle.adminToken, `{}`)
		require.Equal(t, http.StatusCreated, resp.status, "%s", resp.body)
		resp = bundle.do(t, http.MethodPost, path, bundle.adminToken, `{}`)
		require.Equal(t, http.StatusCreated, resp.status, "%s", resp.body)
		bundle.waitState(t, bundle.adminToken, bundle.op.ID, "succeeded")
		signals, err := bundle.engine.ListSignals(context.Background(), bundle.op.ID)
		require.NoError(t, err)
		require.Len(t, signals, 2)
	})

	t.Run("Invalid", func(t *testing.T) {
		t.Parallel()
		bundle := setup(t)
		path := apiPrefix + "/operations/" + bundle.op.ID + "/signals"

		tests := []struct {
			name string
			body string
		}{
			{name: "EmptyBody", body: ""},
			{name: "MalformedJSON", body: `{"data":`},
			{name: "UnknownField", body: `{"payload":{}}`},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				resp := bundle.do(t, http.MethodPost, path, bundle.adminToken, tt.body)
				requireError(t, resp, http.StatusBadRequest, "invalid", "operation_signal."+tt.name)
			})
		}
		t.Cleanup(func() {
			signals, err := bundle.engine.ListSignals(context.Background(), bundle.op.ID)
			require.NoError(t, err)
			require.Empty(t, signals)
		})
	})

	t.Run("Unknown", func(t *testing.T) {
		t.Parallel()
		resp := srv.do(t, http.MethodPost, apiPrefix+"/operations/0b7f1ed4-5a0e-4b7e-9b43-2d8b0e3c1a11/signals", srv.adminToken, `{}`)
		requireError(t, resp, http.StatusNotFound, "not_found", "operation_signal.NotFound")
	})
}
