package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/kilnhq/kiln/internal/engine/enginetest"
)

type opWire struct {
	ID     string          `json:"id"`
	State  string          `json:"state"`
	Error  string          `json:"error"`
	Result json.RawMessage `json:"result"`
}

type eventWire struct {
	Seq    int64           `json:"seq"`
	Type   string          `json:"type"`
	Status string          `json:"status"`
	Data   json.RawMessage `json:"data"`
}

// opEvents lists every event of an operation, paging through the API.
func opEvents(t *testing.T, baseURL, tok, opID string) []eventWire {
	t.Helper()
	var all []eventWire
	after := int64(0)
	for {
		var page struct {
			Events     []eventWire `json:"events"`
			NextMarker *int64      `json:"next_marker"`
		}
		code := call(t, http.MethodGet, fmt.Sprintf("%s/api/kiln/v1/events?operation_id=%s&after=%d&limit=50", baseURL, opID, after), tok, nil, &page)
		require.Equal(t, http.StatusOK, code)
		all = append(all, page.Events...)
		if page.NextMarker == nil {
			return all
		}
		after = *page.NextMarker
	}
}

func stepsOf(t *testing.T, evs []eventWire) []int {
	var steps []int
	for _, ev := range evs {
		if ev.Type == "operation.step" {
			var d struct{ Step int }
			require.NoError(t, json.Unmarshal(ev.Data, &d))
			steps = append(steps, d.Step)
		}
	}
	return steps
}

// crashAndResume submits a 30-step operation, stops the node three times
// while it runs (SIGKILL, SIGTERM, SIGKILL), and checks that after restarts
// the operation completes exactly once: every step's effect once, no
// duplicate or missing events, nothing left running.
func crashAndResume(t *testing.T, args ...string) {
	const steps = 30
	p := startKiln(t, args...)
	tok := token(t, p.url)
	var created struct{ Operation opWire }
	code := call(t, http.MethodPost, p.url+"/api/kiln/v1/operations", tok, map[string]any{
		"type": "kiln.sleep_count", "input": map[string]any{"steps": steps, "sleep_ms": 40},
	}, &created)
	require.Equal(t, http.StatusCreated, code)
	opID := created.Operation.ID

	for i, killAfter := range []int{4, 12, 21} {
		require.Eventually(t, func() bool {
			return len(stepsOf(t, opEvents(t, p.url, tok, opID))) >= killAfter
		}, 30*time.Second, 5*time.Millisecond, "operation did not reach step %d; logs:\n%s", killAfter, p.Logs())
		if i == 1 {
			p.terminate(t)
		} else {
			p.kill(t)
		}
		p = startKiln(t, args...)
	}

	var op struct{ Operation opWire }
	require.Eventually(t, func() bool {
		require.Equal(t, http.StatusOK, call(t, http.MethodGet, p.url+"/api/kiln/v1/operations/"+opID, tok, nil, &op))
		return op.Operation.State == "succeeded" || op.Operation.State == "failed"
	}, 60*time.Second, 10*time.Millisecond, "operation did not finish; logs:\n%s", p.Logs())
	require.Equal(t, "succeeded", op.Operation.State, op.Operation.Error)
	require.JSONEq(t, fmt.Sprintf(`{"count":%d}`, steps), string(op.Operation.Result))

	evs := opEvents(t, p.url, tok, opID)
	want := make([]int, steps)
	for i := range want {
		want[i] = i + 1
	}
	require.Equal(t, want, stepsOf(t, evs), "each step's event exactly once, in order")
	var states []string
	for i, ev := range evs {
		if i > 0 {
			require.Greater(t, ev.Seq, evs[i-1].Seq)
		}
		if ev.Type == "operation.state" {
			states = append(states, ev.Status)
		}
	}
	require.Equal(t, []string{"pending", "running", "succeeded"}, states)

	for _, state := range []string{"running", "pending", "waiting"} {
		var list struct{ Operations []opWire }
		require.Equal(t, http.StatusOK, call(t, http.MethodGet, p.url+"/api/kiln/v1/operations?state="+state, tok, nil, &list))
		require.Empty(t, list.Operations, "no operation left %s", state)
	}
}

func TestCrashResumeSQLite(t *testing.T) {
	t.Parallel()
	crashAndResume(t, "--data", t.TempDir())
}

func TestCrashResumePostgres(t *testing.T) {
	t.Parallel()
	url, schema := enginetest.NewSchema(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	_, err = conn.Exec(ctx, "CREATE SCHEMA "+schema)
	require.NoError(t, err)
	require.NoError(t, conn.Close(ctx))
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	crashAndResume(t, "--database", url+sep+"search_path="+schema, "--lease-ttl", "1s")
}
