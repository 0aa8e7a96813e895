package heat

import (
	"encoding/json"
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kilnhq/kiln/internal/identity"
	"github.com/kilnhq/kiln/internal/stacks"
)

const groupTemplate = `
heat_template_version: 2021-04-16
resources:
  group:
    type: OS::Heat::ResourceGroup
    properties:
      count: 2
      resource_def:
        type: OS::Heat::Value
        properties: {value: v%index%}
outputs:
  values: {value: {get_attr: [group, value]}}
`

// TestNestedStacks pins the wire of a stack-backed resource: its nested
// link, the members listed through nested_depth with parent_resource, and
// the nested stack's parent.
func TestNestedStacks(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ref := b.create(t, "grouped", groupTemplate)
	path := stackPath(ref)

	rec := b.get(t, path+"/resources/group")
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	var shown struct {
		Resource struct {
			Links []struct{ Href, Rel string } `json:"links"`
		} `json:"resource"`
	}
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &shown))
	var nestedHref string
	for _, l := range shown.Resource.Links {
		if l.Rel == "nested" {
			nestedHref = l.Href
		}
	}
	require.NotEmpty(t, nestedHref, rec.Body.String())
	nestedName := regexpNested.FindString(nestedHref)
	require.NotEmpty(t, nestedName, nestedHref)
	b.requireGolden(t, "nested.ResourceShow", memberShortID.ReplaceAll(rec.Body.Bytes(), []byte("${1}SHORT_ID")), nestedName, "NESTED_NAME")

	rec = b.get(t, path+"/resources?nested_depth=1")
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	body := memberShortID.ReplaceAll(rec.Body.Bytes(), []byte("${1}SHORT_ID"))
	b.requireGolden(t, "nested.ResourceListDepth1", body, nestedName, "NESTED_NAME")

	// nested_depth on the event list adds the nested stack's events, each
	// linked to its own stack and to the root stack.
	rec = b.get(t, path+"/events?nested_depth=1&sort_dir=asc")
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	var evs struct {
		Events []struct {
			Name  string                       `json:"resource_name"`
			Links []struct{ Href, Rel string } `json:"links"`
		} `json:"events"`
	}
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &evs))
	require.Len(t, evs.Events, 4+2+2*2)
	nestedEvents := 0
	for _, e := range evs.Events {
		rels := map[string]string{}
		for _, l := range e.Links {
			rels[l.Rel] = l.Href
		}
		require.Equal(t, publicURL+"/v1/"+b.project+path, rels["root_stack"], e.Name)
		if rels["stack"] == nestedHref {
			nestedEvents++
		}
	}
	require.Equal(t, 6, nestedEvents)

	// The nested stack is hidden from the list unless show_nested.
	count := func(query string) int {
		rec := b.get(t, "/stacks"+query)
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		var out struct {
			Stacks []map[string]any `json:"stacks"`
		}
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &out))
		return len(out.Stacks)
	}
	require.Equal(t, count("?name=grouped")+1, count("?show_nested=True"))

	nestedRef := stacks.StackRef{Name: nestedName, ProjectID: b.project}
	rec = b.get(t, "/stacks/"+nestedName)
	require.Equal(t, http.StatusFound, rec.Code, rec.Body.String())
	nestedRef.ID = rec.Header().Get("Location")[len(rec.Header().Get("Location"))-36:]
	rec = b.get(t, stackPath(nestedRef))
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	var st struct {
		Stack struct {
			Parent *string `json:"parent"`
		} `json:"stack"`
	}
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &st))
	require.NotNil(t, st.Stack.Parent)
	require.Equal(t, ref.ID, *st.Stack.Parent)
}

var (
	regexpNested  = regexp.MustCompile(`grouped-group-[a-z0-9]{12}`)
	memberShortID = regexp.MustCompile(`(grouped-group-[a-z0-9]{12}-\d-)[a-z0-9]{12}`)
)

// TestScalingSignal signals a scaling policy over HTTP: Heat's 200 null
// at once, and the group grows.
func TestScalingSignal(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ref := b.create(t, "scaled", `
heat_template_version: 2021-04-16
resources:
  asg:
    type: OS::Heat::AutoScalingGroup
    properties:
      min_size: 1
      max_size: 2
      resource: {type: OS::Heat::None}
  up:
    type: OS::Heat::ScalingPolicy
    properties:
      auto_scaling_group_id: {get_resource: asg}
      adjustment_type: exact_capacity
      scaling_adjustment: 2
`)
	path := stackPath(ref)
	rec := b.do(t, req{method: http.MethodPost, path: path + "/resources/up/signal", token: identity.RoleMember,
		body: `{"previous": "ok", "current": "alarm", "reason": "load"}`})
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	require.Equal(t, "null", rec.Body.String())
	require.Eventually(t, func() bool {
		rec := b.get(t, path+"/resources/asg")
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		var out struct {
			Resource struct {
				Status     string         `json:"resource_status"`
				Attributes map[string]any `json:"attributes"`
			} `json:"resource"`
		}
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &out))
		return out.Resource.Status == "UPDATE_COMPLETE" && out.Resource.Attributes["current_size"] == float64(2)
	}, 20*time.Second, 5*time.Millisecond)
	// The group is not signallable itself.
	rec = b.do(t, req{method: http.MethodPost, path: path + "/resources/asg/signal", token: identity.RoleMember, body: `{}`})
	require.Equal(t, http.StatusBadRequest, rec.Code, rec.Body.String())
}
