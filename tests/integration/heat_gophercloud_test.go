package integration

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack"
	"github.com/gophercloud/gophercloud/v2/openstack/orchestration/v1/buildinfo"
	"github.com/gophercloud/gophercloud/v2/openstack/orchestration/v1/stackevents"
	"github.com/gophercloud/gophercloud/v2/openstack/orchestration/v1/stackresources"
	"github.com/gophercloud/gophercloud/v2/openstack/orchestration/v1/stacks"
	"github.com/gophercloud/gophercloud/v2/openstack/orchestration/v1/stacktemplates"
	"github.com/stretchr/testify/require"
)

const waitTemplate = `heat_template_version: 2021-04-16
resources:
  rand:
    type: OS::Heat::RandomString
    properties:
      length: 12
  handle:
    type: OS::Heat::WaitConditionHandle
  wait:
    type: OS::Heat::WaitCondition
    properties:
      handle: {get_resource: handle}
      timeout: 600
outputs:
  value:
    value: {get_attr: [rand, value]}
`

// TestHeatWaitConditionWithGophercloud drives the Heat dialect of a
// `kiln serve` process with gophercloud v2 only: a wait condition stack
// stays CREATE_IN_PROGRESS until its handle is signalled (a raw POST with
// the same authenticated client: gophercloud has no signal call), then
// completes; events, resources, template and build info read back; a
// signal to a RandomString is 400 and to a missing resource 404.
func TestHeatWaitConditionWithGophercloud(t *testing.T) {
	t.Parallel()
	p := startKiln(t, "--data", t.TempDir())
	ctx := context.Background()
	provider, err := openstack.AuthenticatedClient(ctx, gophercloud.AuthOptions{
		IdentityEndpoint: p.url + "/v3", Username: "admin", Password: adminPassword, DomainName: "Default", TenantName: "admin",
	})
	require.NoError(t, err)
	orch, err := openstack.NewOrchestrationV1(provider, gophercloud.EndpointOpts{Region: "local"})
	require.NoError(t, err)

	created, err := stacks.Create(ctx, orch, stacks.CreateOpts{
		Name: "waiter", TemplateOpts: &stacks.Template{TE: stacks.TE{Bin: []byte(waitTemplate)}},
	}).Extract()
	require.NoError(t, err)
	require.NotEmpty(t, created.ID)

	get := func() *stacks.RetrievedStack {
		s, err := stacks.Get(ctx, orch, "waiter", created.ID).Extract()
		require.NoError(t, err)
		return s
	}
	require.Eventually(t, func() bool {
		r, err := stackresources.Get(ctx, orch, "waiter", created.ID, "wait").Extract()
		require.NoError(t, err)
		return r.Status == "CREATE_IN_PROGRESS"
	}, 10*time.Second, 10*time.Millisecond)
	require.Equal(t, "CREATE_IN_PROGRESS", get().Status)

	signal := func(resource, body string) int {
		url := orch.ServiceURL("stacks", "waiter", created.ID, "resources", resource, "signal")
		resp, err := orch.Request(ctx, http.MethodPost, url, &gophercloud.RequestOpts{
			RawBody: strings.NewReader(body), OkCodes: []int{200, 400, 404}, KeepResponseBody: true,
			MoreHeaders: map[string]string{"Content-Type": "application/json"},
		})
		require.NoError(t, err)
		defer resp.Body.Close()
		return resp.StatusCode
	}
	require.Equal(t, http.StatusBadRequest, signal("rand", `{}`))
	require.Equal(t, http.StatusNotFound, signal("missing", `{}`))
	require.Equal(t, http.StatusOK, signal("handle", `{"status":"SUCCESS","reason":"ready","data":"ok","id":"1"}`))

	require.Eventually(t, func() bool { return get().Status == "CREATE_COMPLETE" }, 10*time.Second, 10*time.Millisecond)
	s := get()
	require.Equal(t, "Stack CREATE completed successfully", s.StatusReason)
	require.Len(t, s.Outputs, 1)
	require.Len(t, s.Outputs[0]["output_value"], 12)

	// Events, including Get of one event with every field.
	pages, err := stackevents.List(orch, "waiter", created.ID, nil).AllPages(ctx)
	require.NoError(t, err)
	evs, err := stackevents.ExtractEvents(pages)
	require.NoError(t, err)
	require.NotEmpty(t, evs)
	var randEvent *stackevents.Event
	for i := range evs {
		if evs[i].ResourceName == "rand" && evs[i].ResourceStatus == "CREATE_IN_PROGRESS" {
			randEvent = &evs[i]
		}
	}
	require.NotNil(t, randEvent)
	ev, err := stackevents.Get(ctx, orch, "waiter", created.ID, "rand", randEvent.ID).Extract()
	require.NoError(t, err)
	require.Equal(t, "rand", ev.ResourceName)
	require.Equal(t, "rand", ev.LogicalResourceID)
	require.Equal(t, "CREATE_IN_PROGRESS", ev.ResourceStatus)
	require.Equal(t, "state changed", ev.ResourceStatusReason)
	require.Equal(t, map[string]any{"length": float64(12)}, ev.ResourceProperties)
	require.False(t, ev.Time.IsZero())
	// gophercloud's Event has no resource_type field; read the raw body.
	var raw struct {
		Event map[string]any `json:"event"`
	}
	_, err = orch.Get(ctx, orch.ServiceURL("stacks", "waiter", created.ID, "resources", "rand", "events", ev.ID), &raw, nil)
	require.NoError(t, err)
	require.Equal(t, "OS::Heat::RandomString", raw.Event["resource_type"])
	for _, key := range []string{"event_time", "id", "links", "logical_resource_id", "physical_resource_id", "resource_name",
		"resource_properties", "resource_status", "resource_status_reason", "resource_type"} {
		require.Contains(t, raw.Event, key)
	}
	rels := map[string]string{}
	for _, l := range ev.Links {
		rels[l.Rel] = l.Href
	}
	base := p.url + "/v1/" + adminProjectID + "/stacks/waiter/" + created.ID
	require.Equal(t, base+"/resources/rand/events/"+ev.ID, rels["self"])
	require.Equal(t, base+"/resources/rand", rels["resource"])
	require.Equal(t, base, rels["stack"])

	res, err := stackresources.List(orch, "waiter", created.ID, nil).AllPages(ctx)
	require.NoError(t, err)
	rs, err := stackresources.ExtractResources(res)
	require.NoError(t, err)
	require.Len(t, rs, 3)

	tmpl, err := stacktemplates.Get(ctx, orch, "waiter", created.ID).Extract()
	require.NoError(t, err)
	require.Contains(t, string(tmpl), "OS::Heat::WaitCondition")

	_, err = buildinfo.Get(ctx, orch).Extract()
	require.NoError(t, err)

	require.NoError(t, stacks.Delete(ctx, orch, "waiter", created.ID).ExtractErr())
	require.Eventually(t, func() bool {
		s, err := stacks.Get(ctx, orch, "waiter", created.ID).Extract()
		return gophercloud.ResponseCodeIs(err, http.StatusNotFound) || (err == nil && s.Status == "DELETE_COMPLETE")
	}, 10*time.Second, 10*time.Millisecond)
}
