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

// TestHeatStackCrashResume kills a `kiln serve` with SIGKILL while a stack
// of a dependency chain of waiting resources is being created, restarts it
// on the same data, and checks the stack completes without user action,
// each resource created once (one CREATE_IN_PROGRESS and one
// CREATE_COMPLETE event each) and its physical id unchanged.
func TestHeatStackCrashResume(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	p := startKiln(t, "--data", data)
	tok := token(t, p.url)
	const n = 8
	var tmpl strings.Builder
	tmpl.WriteString("heat_template_version: 2018-08-31\nresources:\n")
	for i := range n {
		fmt.Fprintf(&tmpl, "  r%d:\n    type: OS::Heat::TestResource\n    properties:\n      wait_secs: 0.3\n", i)
		if i > 0 {
			fmt.Fprintf(&tmpl, "    depends_on: r%d\n", i-1)
		}
	}
	var created struct{ Stack struct{ ID string } }
	code := call(t, http.MethodPost, p.url+"/v1/"+adminProjectID+"/stacks", tok,
		map[string]any{"stack_name": "chain", "template": tmpl.String()}, &created)
	require.Equal(t, http.StatusCreated, code)
	stackURL := p.url + "/v1/" + adminProjectID + "/stacks/chain/" + created.Stack.ID

	type resource struct {
		Name       string `json:"resource_name"`
		PhysicalID string `json:"physical_resource_id"`
		Status     string `json:"resource_status"`
	}
	physical := map[string]string{}
	require.Eventually(t, func() bool {
		var rs struct{ Resources []resource }
		require.Equal(t, http.StatusOK, call(t, http.MethodGet, stackURL+"/resources", tok, nil, &rs))
		done := 0
		for _, r := range rs.Resources {
			if r.PhysicalID != "" {
				physical[r.Name] = r.PhysicalID
			}
			if r.Status == "CREATE_COMPLETE" {
				done++
			}
		}
		return done >= 3
	}, 30*time.Second, 10*time.Millisecond)
	p.kill(t)
	p = startKiln(t, "--data", data)
	stackURL = p.url + "/v1/" + adminProjectID + "/stacks/chain/" + created.Stack.ID

	var st struct {
		Stack struct{ StackStatus, StackStatusReason string }
	}
	require.Eventually(t, func() bool {
		var raw struct {
			Stack map[string]any `json:"stack"`
		}
		require.Equal(t, http.StatusOK, call(t, http.MethodGet, stackURL, tok, nil, &raw))
		st.Stack.StackStatus, _ = raw.Stack["stack_status"].(string)
		st.Stack.StackStatusReason, _ = raw.Stack["stack_status_reason"].(string)
		return st.Stack.StackStatus != "CREATE_IN_PROGRESS"
	}, 30*time.Second, 20*time.Millisecond)
	require.Equal(t, "CREATE_COMPLETE", st.Stack.StackStatus, st.Stack.StackStatusReason)

	var rs struct{ Resources []resource }
	require.Equal(t, http.StatusOK, call(t, http.MethodGet, stackURL+"/resources", tok, nil, &rs))
	for _, r := range rs.Resources {
		if id, ok := physical[r.Name]; ok {
			require.Equal(t, id, r.PhysicalID, "physical id of %s kept across the crash", r.Name)
		}
	}
	var evs struct {
		Events []struct {
			Name   string `json:"resource_name"`
			Status string `json:"resource_status"`
		}
	}
	require.Equal(t, http.StatusOK, call(t, http.MethodGet, stackURL+"/events?sort_dir=asc", tok, nil, &evs))
	count := map[string]int{}
	for _, e := range evs.Events {
		count[e.Name+" "+e.Status]++
	}
	for i := range n {
		require.Equal(t, 1, count[fmt.Sprintf("r%d CREATE_IN_PROGRESS", i)], "r%d started once", i)
		require.Equal(t, 1, count[fmt.Sprintf("r%d CREATE_COMPLETE", i)], "r%d completed once", i)
	}
	require.Equal(t, 1, count["chain CREATE_COMPLETE"])
}

// TestHeatNestedCrashResume kills a node while a resource group's nested
// stack is being created: after the restart the parent and the nested
// stack complete, and the group made exactly one nested stack.
func TestHeatNestedCrashResume(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	p := startKiln(t, "--data", data)
	tok := token(t, p.url)
	const tmpl = `
heat_template_version: 2018-08-31
resources:
  group:
    type: OS::Heat::ResourceGroup
    properties:
      count: 3
      resource_def:
        type: OS::Heat::TestResource
        properties: {wait_secs: 0.4, value: "m%index%"}
  after:
    type: OS::Heat::Value
    properties:
      value: {get_attr: [group, output]}
outputs:
  values: {value: {get_attr: [after, value]}}
`
	var created struct{ Stack struct{ ID string } }
	code := call(t, http.MethodPost, p.url+"/v1/"+adminProjectID+"/stacks", tok,
		map[string]any{"stack_name": "nestcrash", "template": tmpl}, &created)
	require.Equal(t, http.StatusCreated, code)
	stacksURL := func() string { return p.url + "/v1/" + adminProjectID + "/stacks" }
	type stackItem struct {
		ID     string `json:"id"`
		Name   string `json:"stack_name"`
		Status string `json:"stack_status"`
		Parent string `json:"parent"`
	}
	listNested := func() []stackItem {
		var out struct{ Stacks []stackItem }
		require.Equal(t, http.StatusOK, call(t, http.MethodGet, stacksURL()+"?show_nested=True", tok, nil, &out))
		return out.Stacks
	}
	// Kill once the nested stack exists and is still being created.
	require.Eventually(t, func() bool {
		for _, s := range listNested() {
			if s.Parent == created.Stack.ID && s.Status == "CREATE_IN_PROGRESS" {
				return true
			}
		}
		return false
	}, 30*time.Second, 10*time.Millisecond)
	p.kill(t)
	p = startKiln(t, "--data", data)

	stackURL := stacksURL() + "/nestcrash/" + created.Stack.ID
	var st struct {
		Stack struct {
			Status  string `json:"stack_status"`
			Reason  string `json:"stack_status_reason"`
			Outputs []struct {
				Key   string `json:"output_key"`
				Value any    `json:"output_value"`
			} `json:"outputs"`
		} `json:"stack"`
	}
	require.Eventually(t, func() bool {
		require.Equal(t, http.StatusOK, call(t, http.MethodGet, stackURL, tok, nil, &st))
		return st.Stack.Status != "CREATE_IN_PROGRESS"
	}, 30*time.Second, 20*time.Millisecond)
	require.Equal(t, "CREATE_COMPLETE", st.Stack.Status, st.Stack.Reason)
	require.Len(t, st.Stack.Outputs, 1)
	require.Equal(t, []any{"m0", "m1", "m2"}, st.Stack.Outputs[0].Value)

	nested := 0
	for _, s := range listNested() {
		if s.Parent == created.Stack.ID {
			nested++
			require.Equal(t, "CREATE_COMPLETE", s.Status)
		}
	}
	require.Equal(t, 1, nested, "one nested stack across the crash")
}
