package stacks

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kilnhq/kiln/internal/engine"
)

func TestDecideUpdate(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name    string
		typ     ResourceType
		changed []string
		want    updateKind
		reason  string
	}{
		{name: "ValueInPlace", typ: ValueType(), changed: []string{"value"}, want: updateInPlace},
		{name: "TestResourceInPlace", typ: TestResourceType(), changed: []string{"fail", "value"}, want: updateInPlace},
		{name: "TestResourceUpdateReplaceValue", typ: TestResourceType(), changed: []string{"update_replace_value"},
			want: updateReplace, reason: "The Resource r requires replacement."},
		{name: "RandomStringReplaced", typ: RandomStringType(), changed: []string{"salt"}, want: updateReplace,
			reason: "The Resource r requires replacement."},
		{name: "DelayAllowedButNoUpdater", typ: DelayType(), changed: []string{"min_wait"}, want: updateReplace,
			reason: "The Resource r requires replacement."},
		{name: "WaitConditionCountInPlace", typ: WaitConditionType(), changed: []string{"count"}, want: updateInPlace},
		{name: "WaitConditionTimeoutReplaced", typ: WaitConditionType(), changed: []string{"count", "timeout"}, want: updateReplace,
			reason: "The Resource r requires replacement."},
		{name: "HandleReplaced", typ: WaitConditionHandleType(), changed: []string{"signal_transport"}, want: updateReplace,
			reason: "The Resource r requires replacement."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			up := decideUpdate("r", tt.typ, tt.changed)
			require.Equal(t, tt.want, up.kind)
			require.Equal(t, tt.reason, up.reason)
			require.Equal(t, tt.want == updateReplace, up.announce)
		})
	}
}

func TestChangedProperties(t *testing.T) {
	t.Parallel()
	prev := map[string]any{"a": 1.0, "b": []any{"x"}, "c": nil}
	next := map[string]any{"a": 1.0, "b": []any{"y"}, "d": true}
	require.Equal(t, []string{"b", "d"}, changedProperties(prev, next))
}

func TestTestResourceUpdate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	typ := TestResourceType()
	created := func(t *testing.T) *RC {
		t.Helper()
		rc := newRC(t, typ, map[string]any{"value": "one"})
		out, err := typ.Create(ctx, rc)
		require.NoError(t, err)
		rc.Data, rc.PhysicalID = roundTrip(t, out.Data), out.PhysicalID
		return rc
	}

	t.Run("InPlaceKeepsID", func(t *testing.T) {
		t.Parallel()
		rc := created(t)
		prev := rc.Properties
		rc.Properties = newRC(t, typ, map[string]any{"value": "two"}).Properties
		out, err := typ.(Updater).Update(ctx, rc, prev)
		require.NoError(t, err)
		require.True(t, out.Done)
		require.Equal(t, rc.PhysicalID, out.PhysicalID)
		require.Equal(t, "two", out.Attributes["output"])
	})
	t.Run("UpdateReplace", func(t *testing.T) {
		t.Parallel()
		rc := created(t)
		prev := rc.Properties
		rc.Properties = newRC(t, typ, map[string]any{"value": "two", "update_replace": true}).Properties
		_, err := typ.(Updater).Update(ctx, rc, prev)
		require.Equal(t, CodeUpdateReplace, engine.CodeOf(err))
		require.Contains(t, engine.MessageOf(err), `TestResource "r" [`+rc.PhysicalID+`]`)
	})
	t.Run("FailKeepsValue", func(t *testing.T) {
		t.Parallel()
		rc := created(t)
		prev := rc.Properties
		rc.Properties = newRC(t, typ, map[string]any{"value": "two", "fail": true}).Properties
		_, err := typ.(Updater).Update(ctx, rc, prev)
		require.Equal(t, "Test Resource failed r", engine.MessageOf(err))
	})
	t.Run("UpdateWaits", func(t *testing.T) {
		t.Parallel()
		rc := created(t)
		prev := rc.Properties
		rc.Properties = newRC(t, typ, map[string]any{"value": "two", "action_wait_secs": map[string]any{"update": 5}}).Properties
		out, err := typ.(Updater).Update(ctx, rc, prev)
		require.NoError(t, err)
		require.False(t, out.Done)
		require.Equal(t, rc.Now.Add(5*time.Second), out.WaitUntil)
	})
}
