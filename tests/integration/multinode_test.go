package integration

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/kilnhq/kiln/internal/engine/enginetest"
)

// pgDatabase makes a fresh schema and returns the --database value that
// points kiln at it (skips when no PostgreSQL is configured).
func pgDatabase(t *testing.T) string {
	t.Helper()
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
	return url + sep + "search_path=" + schema
}

// TestHeatTwoNodes runs two `kiln serve` nodes on one PostgreSQL
// database: a stack created through one completes when the other takes
// its wait condition's signal, and a nested-stack create that one node
// was running when it was killed is finished by the other.
func TestHeatTwoNodes(t *testing.T) {
	t.Parallel()
	db := pgDatabase(t)
	a := startKiln(t, "--database", db, "--lease-ttl", "1s")
	b := startKiln(t, "--database", db, "--lease-ttl", "1s")
	tok := token(t, a.url)
	stacks := func(p *proc) string { return p.url + "/v1/" + adminProjectID + "/stacks" }
	status := func(p *proc, name, id string) (string, string) {
		var out struct {
			Stack struct {
				Status string `json:"stack_status"`
				Reason string `json:"stack_status_reason"`
			} `json:"stack"`
		}
		require.Equal(t, http.StatusOK, call(t, http.MethodGet, stacks(p)+"/"+name+"/"+id, tok, nil, &out))
		return out.Stack.Status, out.Stack.Reason
	}

	// Created on a, signalled on b, seen complete on a.
	var created struct{ Stack struct{ ID string } }
	require.Equal(t, http.StatusCreated, call(t, http.MethodPost, stacks(a), tok, map[string]any{"stack_name": "wc", "template": `
heat_template_version: 2021-04-16
resources:
  handle: {type: OS::Heat::WaitConditionHandle}
  wait:
    type: OS::Heat::WaitCondition
    properties: {handle: {get_resource: handle}, timeout: 600}
`}, &created))
	require.Eventually(t, func() bool {
		var r struct {
			Resource struct {
				Status string `json:"resource_status"`
			} `json:"resource"`
		}
		call(t, http.MethodGet, stacks(b)+"/wc/"+created.Stack.ID+"/resources/wait", tok, nil, &r)
		return r.Resource.Status == "CREATE_IN_PROGRESS"
	}, 30*time.Second, 10*time.Millisecond)
	require.Equal(t, http.StatusOK, call(t, http.MethodPost, stacks(b)+"/wc/"+created.Stack.ID+"/resources/handle/signal",
		tok, map[string]any{"status": "SUCCESS", "id": "1"}, nil))
	require.Eventually(t, func() bool {
		s, _ := status(a, "wc", created.Stack.ID)
		return s == "CREATE_COMPLETE"
	}, 10*time.Second, 10*time.Millisecond)

	// A nested create on a, a killed mid-way: b finishes it once a's
	// leases lapse (an operation still pending whose job the dead node
	// had fetched gets another job after 3 lease lifetimes).
	var nested struct{ Stack struct{ ID string } }
	require.Equal(t, http.StatusCreated, call(t, http.MethodPost, stacks(a), tok, map[string]any{"stack_name": "grp", "template": `
heat_template_version: 2021-04-16
resources:
  group:
    type: OS::Heat::ResourceGroup
    properties:
      count: 4
      resource_def:
        type: OS::Heat::TestResource
        properties: {wait_secs: 0.5}
`}, &nested))
	require.Eventually(t, func() bool {
		var list struct {
			Stacks []struct {
				Status string `json:"stack_status"`
				Parent string `json:"parent"`
			} `json:"stacks"`
		}
		call(t, http.MethodGet, stacks(a)+"?show_nested=True", tok, nil, &list)
		for _, s := range list.Stacks {
			if s.Parent == nested.Stack.ID && s.Status == "CREATE_IN_PROGRESS" {
				return true
			}
		}
		return false
	}, 30*time.Second, 10*time.Millisecond)
	a.kill(t)
	require.Eventually(t, func() bool {
		s, _ := status(b, "grp", nested.Stack.ID)
		return s != "CREATE_IN_PROGRESS"
	}, 60*time.Second, 20*time.Millisecond)
	s, reason := status(b, "grp", nested.Stack.ID)
	require.Equal(t, "CREATE_COMPLETE", s, reason)
	var list struct {
		Stacks []struct {
			Parent string `json:"parent"`
		} `json:"stacks"`
	}
	require.Equal(t, http.StatusOK, call(t, http.MethodGet, stacks(b)+"?show_nested=True", tok, nil, &list))
	children := 0
	for _, st := range list.Stacks {
		if st.Parent == nested.Stack.ID {
			children++
		}
	}
	require.Equal(t, 1, children, "one nested stack across the node's death")
}
