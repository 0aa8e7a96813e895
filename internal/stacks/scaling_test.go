package stacks_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kilnhq/kiln/internal/engine"
	"github.com/kilnhq/kiln/internal/engine/enginetest"
	"github.com/kilnhq/kiln/internal/stacks"
)

const scalingTemplate = `
heat_template_version: 2021-04-16
resources:
  asg:
    type: OS::Heat::AutoScalingGroup
    properties:
      min_size: 1
      max_size: 3
      desired_capacity: 2
      resource:
        type: OS::Heat::RandomString
        properties: {length: 6}
  up:
    type: OS::Heat::ScalingPolicy
    properties:
      auto_scaling_group_id: {get_resource: asg}
      adjustment_type: change_in_capacity
      scaling_adjustment: 1
  down:
    type: OS::Heat::ScalingPolicy
    properties:
      auto_scaling_group_id: {get_resource: asg}
      adjustment_type: percent_change_in_capacity
      scaling_adjustment: -10
      cooldown: 3600
outputs:
  size: {value: {get_attr: [asg, current_size]}}
  values: {value: {get_attr: [asg, outputs_list, value]}}
  by_name: {value: {get_attr: [asg, outputs, value]}}
  up_url: {value: {get_attr: [up, signal_url]}}
`

// TestScaling signals scaling policies: each alarm resizes the group
// within min_size and max_size (oldest members leave first), a signal
// whose alarm is not "alarm", one that would not change the size and one
// during a cooldown do nothing, and the outputs follow.
func TestScaling(t *testing.T) {
	for _, be := range enginetest.Backends() {
		t.Run(be.Name, func(t *testing.T) { testScaling(t, setupOn(t, be.Open)) })
	}
}

func testScaling(t *testing.T, b *testBundle) {
	ctx := context.Background()
	s := create(t, b, "scale", scalingTemplate)
	got := waitStatus(t, b, s.Ref(), "CREATE_COMPLETE")
	out := outputs(t, got)
	require.EqualValues(t, 2, out["size"])
	require.Len(t, out["values"], 2)
	require.Len(t, out["by_name"], 2)
	require.Equal(t, "http://kiln.test/v1/"+project+"/stacks/scale/"+s.ID+"/resources/up/signal", out["up_url"])
	first := out["values"].([]any)[0]

	size := func() int {
		res, err := b.svc.GetResource(ctx, s.Ref(), "asg", nil)
		require.NoError(t, err)
		require.NotEqual(t, "FAILED", res.Status, res.StatusReason)
		if res.Status != "COMPLETE" {
			return -1
		}
		n, _ := res.Attributes["current_size"].(float64)
		return int(n)
	}
	signal := func(name, body string) {
		require.NoError(t, b.svc.SignalResource(ctx, s.Ref(), name, json.RawMessage(body)))
	}
	waitSize := func(want int) {
		t.Helper()
		require.Eventually(t, func() bool { return size() == want }, 20*time.Second, 5*time.Millisecond)
	}

	signal("up", `{"previous": "ok", "current": "alarm", "reason": "cpu high"}`)
	waitSize(3)
	got, err := b.svc.GetStack(ctx, s.Ref(), true)
	require.NoError(t, err)
	out = outputs(t, got)
	require.EqualValues(t, 3, out["size"], "outputs follow the scaling")
	require.Equal(t, first, out["values"].([]any)[0], "existing members stay")

	// At max_size, and with a non-alarm state: nothing changes.
	signal("up", `{"current": "alarm"}`)
	signal("up", `{"current": "ok"}`)
	// Percent scaling rounds a small change away from zero: 3 - 10% is 2.
	signal("down", "null")
	waitSize(2)
	got, err = b.svc.GetStack(ctx, s.Ref(), true)
	require.NoError(t, err)
	out = outputs(t, got)
	require.NotContains(t, out["values"], first, "the oldest member left first")
	// The down policy is cooling down for an hour.
	signal("down", `{"state": "alarm"}`)

	evs, err := b.svc.ListEvents(ctx, s.Ref(), &stacks.EventListParams{ResourceName: "up", SortDir: "asc"})
	require.NoError(t, err)
	var reasons []string
	for _, e := range evs {
		if e.Action == "SIGNAL" {
			reasons = append(reasons, e.StatusReason)
		}
	}
	require.Equal(t, []string{"alarm state changed from ok to alarm (cpu high)", "Unknown", "Unknown"}, reasons)
	require.Eventually(t, func() bool {
		ops, err := b.e.ListOperations(ctx, &engine.OperationListParams{ProjectID: project, Type: stacks.OperationTypeScale})
		require.NoError(t, err)
		for _, op := range ops {
			if !op.State.Terminal() {
				return false
			}
		}
		return len(ops) == 5
	}, 20*time.Second, 5*time.Millisecond)
	require.Equal(t, 2, size())

	// Deleting the stack deletes the group's nested stack.
	require.NoError(t, b.svc.DeleteStack(ctx, s.Ref()))
	waitStatus(t, b, s.Ref(), "DELETE_COMPLETE")
	list, err := b.svc.ListStacks(ctx, &stacks.ListParams{ProjectID: project, ShowNested: true})
	require.NoError(t, err)
	require.Empty(t, list)
}
