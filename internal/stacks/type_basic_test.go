package stacks

import (
	"context"
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kilnhq/kiln/internal/engine"
)

var testNow = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

// newRC validates props against typ's schema and returns the RC a stack
// layer would pass for resource "r" of stack "st".
func newRC(t *testing.T, typ ResourceType, props map[string]any) *RC {
	t.Helper()
	checked, err := ValidateProperties("r", typ.Schema(), props)
	require.NoError(t, err)
	return &RC{Data: map[string]any{}, Name: "r", Now: testNow, Properties: checked, Stack: StackRef{ID: "sid", Name: "st", ProjectID: "p"}}
}

// roundTrip passes Data through JSON, as the store does.
func roundTrip(t *testing.T, data map[string]any) map[string]any {
	t.Helper()
	b, err := json.Marshal(data)
	require.NoError(t, err)
	var out map[string]any
	require.NoError(t, json.Unmarshal(b, &out))
	return out
}

func TestBuiltinTypes(t *testing.T) {
	t.Parallel()

	reg := NewRegistry(BuiltinTypes()...)
	require.Equal(t, []string{
		"OS::Heat::Delay", "OS::Heat::None", "OS::Heat::RandomString", "OS::Heat::TestResource",
		"OS::Heat::Value", "OS::Heat::WaitCondition", "OS::Heat::WaitConditionHandle",
	}, reg.Names())
	for _, typ := range BuiltinTypes() {
		sc := typ.Schema()
		require.NotEmpty(t, sc.Description, sc.Name)
		require.NotEmpty(t, sc.Version, sc.Name)
		if sc.Signallable {
			continue
		}
		_, err := typ.Signal(context.Background(), &RC{}, nil)
		require.ErrorIs(t, err, ErrNotSignallable, sc.Name)
	}
}

func TestPhysicalResourceName(t *testing.T) {
	t.Parallel()

	require.Regexp(t, `^st-r-[a-z2-7]{12}$`, PhysicalResourceName("st*", "r"))
	long := PhysicalResourceName(strings.Repeat("s", 300), "r")
	require.Len(t, long, 255)
	require.True(t, strings.HasPrefix(long, "ss-"))
	require.Regexp(t, `-r-[a-z2-7]{12}$`, long)
	require.NotEqual(t, ShortID(), ShortID())
}

func TestResourceFailureReason(t *testing.T) {
	t.Parallel()

	require.Equal(t, "ValueError: resources.r: Test Resource failed r",
		ResourceFailureReason("r", resourceError("resource.create", "ValueError", "Test Resource failed r")))
	require.Equal(t, "Error: resources.r: An unknown exception occurred.", ResourceFailureReason("r", errors.New("boom")))
}

func TestNoneType(t *testing.T) {
	t.Parallel()

	ctx := context.Background()
	rc := newRC(t, NoneType(), map[string]any{"whatever": 1})
	out, err := NoneType().Create(ctx, rc)
	require.NoError(t, err)
	require.True(t, out.Done)
	require.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, out.PhysicalID)
	require.Empty(t, out.Attributes)
	require.True(t, NoneType().Schema().AnyAttributes)

	t.Run("RepeatAfterCrash", func(t *testing.T) {
		t.Parallel()
		again := *rc
		again.Data = roundTrip(t, out.Data)
		out2, err := NoneType().Check(ctx, &again)
		require.NoError(t, err)
		require.Equal(t, out.PhysicalID, out2.PhysicalID)
	})
}

func TestValueType(t *testing.T) {
	t.Parallel()

	ctx := context.Background()
	rc := newRC(t, ValueType(), map[string]any{"value": 7, "type": "number"})
	out, err := ValueType().Create(ctx, rc)
	require.NoError(t, err)
	require.True(t, out.Done)
	require.Equal(t, map[string]any{"value": 7}, out.Attributes)
	require.Regexp(t, `^st-r-[a-z2-7]{12}$`, out.PhysicalID)

	rc.Data = roundTrip(t, out.Data)
	out2, err := ValueType().Create(ctx, rc)
	require.NoError(t, err)
	require.Equal(t, out.PhysicalID, out2.PhysicalID)
}

func TestRandomStringType(t *testing.T) {
	t.Parallel()

	ctx := context.Background()

	t.Run("Default", func(t *testing.T) {
		t.Parallel()
		rc := newRC(t, RandomStringType(), nil)
		out, err := RandomStringType().Create(ctx, rc)
		require.NoError(t, err)
		require.True(t, out.Done)
		v := out.Attributes["value"].(string)
		require.Regexp(t, `^[A-Za-z0-9]{32}$`, v)
		require.Regexp(t, `^st-r-[a-z2-7]{12}$`, out.PhysicalID)
	})
	t.Run("ClassesAndSequences", func(t *testing.T) {
		t.Parallel()
		rc := newRC(t, RandomStringType(), map[string]any{
			"length":              10,
			"character_classes":   []any{map[string]any{"class": "digits", "min": 4}},
			"character_sequences": []any{map[string]any{"sequence": "!@", "min": 3}},
		})
		for range 20 {
			out, err := RandomStringType().Create(ctx, rc)
			require.NoError(t, err)
			v := out.Attributes["value"].(string)
			require.Regexp(t, `^[0-9!@]{10}$`, v)
			require.GreaterOrEqual(t, len(regexp.MustCompile(`[0-9]`).FindAllString(v, -1)), 4)
			require.GreaterOrEqual(t, len(regexp.MustCompile(`[!@]`).FindAllString(v, -1)), 3)
		}
	})
	t.Run("RepeatAfterCrashKeepsValue", func(t *testing.T) {
		t.Parallel()
		rc := newRC(t, RandomStringType(), map[string]any{"length": 16})
		first, err := RandomStringType().Create(ctx, rc)
		require.NoError(t, err)
		rc.Data = roundTrip(t, first.Data)
		second, err := RandomStringType().Create(ctx, rc)
		require.NoError(t, err)
		require.Equal(t, first.Attributes["value"], second.Attributes["value"])
		require.Equal(t, first.PhysicalID, second.PhysicalID)
		third, err := RandomStringType().Check(ctx, rc)
		require.NoError(t, err)
		require.Equal(t, first.Attributes["value"], third.Attributes["value"])
	})
	t.Run("RefIDIsTheValue", func(t *testing.T) {
		t.Parallel()
		typ := RandomStringType()
		rc := newRC(t, typ, nil)
		refIDer, ok := typ.(RefIDer)
		require.True(t, ok)
		require.Equal(t, "r", refIDer.RefID(rc)) // not created: the name
		out, err := typ.Create(ctx, rc)
		require.NoError(t, err)
		rc.Data, rc.PhysicalID = out.Data, out.PhysicalID
		require.Equal(t, out.Attributes["value"], refIDer.RefID(rc))
	})
	t.Run("EmptySequence", func(t *testing.T) {
		t.Parallel()
		rc := newRC(t, RandomStringType(), map[string]any{"character_sequences": []any{map[string]any{"sequence": ""}}, "character_classes": []any{}})
		_, err := RandomStringType().Create(ctx, rc)
		require.Equal(t, "IndexError", engine.CodeOf(err))
	})
}

func TestTestResourceType(t *testing.T) {
	t.Parallel()

	ctx := context.Background()
	typ := TestResourceType()

	t.Run("ImmediateCreate", func(t *testing.T) {
		t.Parallel()
		out, err := typ.Create(ctx, newRC(t, typ, nil))
		require.NoError(t, err)
		require.True(t, out.Done)
		require.Equal(t, "test_string", out.Attributes["output"])
		require.Regexp(t, `^st-r-[a-z2-7]{12}$`, out.PhysicalID)
	})
	t.Run("FailImmediately", func(t *testing.T) {
		t.Parallel()
		_, err := typ.Create(ctx, newRC(t, typ, map[string]any{"fail": true}))
		require.Equal(t, "ValueError", engine.CodeOf(err))
		require.Equal(t, "Test Resource failed r", engine.MessageOf(err))
		require.Equal(t, "ValueError: resources.r: Test Resource failed r", ResourceFailureReason("r", err))
	})
	t.Run("WaitThenComplete", func(t *testing.T) {
		t.Parallel()
		rc := newRC(t, typ, map[string]any{"wait_secs": 10, "value": "v"})
		out, err := typ.Create(ctx, rc)
		require.NoError(t, err)
		require.False(t, out.Done)
		require.Equal(t, testNow.Add(10*time.Second), out.WaitUntil)

		rc.Data = roundTrip(t, out.Data)
		rc.Now = testNow.Add(5 * time.Second)
		out, err = typ.Check(ctx, rc)
		require.NoError(t, err)
		require.False(t, out.Done)
		require.Equal(t, testNow.Add(10*time.Second), out.WaitUntil)

		rc.Now = testNow.Add(10 * time.Second)
		out, err = typ.Check(ctx, rc)
		require.NoError(t, err)
		require.True(t, out.Done)
		require.Equal(t, "v", out.Attributes["output"])
	})
	t.Run("RepeatAfterCrashKeepsDeadline", func(t *testing.T) {
		t.Parallel()
		rc := newRC(t, typ, map[string]any{"wait_secs": 10})
		first, err := typ.Create(ctx, rc)
		require.NoError(t, err)
		rc.Data = roundTrip(t, first.Data)
		rc.Now = testNow.Add(3 * time.Second)
		second, err := typ.Create(ctx, rc)
		require.NoError(t, err)
		require.Equal(t, first.WaitUntil, second.WaitUntil)
		require.Equal(t, first.PhysicalID, second.PhysicalID)
	})
	t.Run("CheckWithoutDataCreates", func(t *testing.T) {
		t.Parallel()
		rc := newRC(t, typ, map[string]any{"value": "x"})
		out, err := typ.Check(ctx, rc)
		require.NoError(t, err)
		require.True(t, out.Done)
		require.Equal(t, "x", out.Attributes["output"])
	})
	t.Run("FailAfterWait", func(t *testing.T) {
		t.Parallel()
		rc := newRC(t, typ, map[string]any{"fail": true, "action_wait_secs": map[string]any{"create": 2}, "wait_secs": 100})
		out, err := typ.Create(ctx, rc)
		require.NoError(t, err)
		require.Equal(t, testNow.Add(2*time.Second), out.WaitUntil)
		require.Empty(t, out.PhysicalID)
		rc.Data, rc.Now = roundTrip(t, out.Data), testNow.Add(2*time.Second)
		_, err = typ.Check(ctx, rc)
		require.Equal(t, "Test Resource failed r", engine.MessageOf(err))
	})
	t.Run("WaitForever", func(t *testing.T) {
		t.Parallel()
		rc := newRC(t, typ, map[string]any{"wait_secs": -1})
		out, err := typ.Create(ctx, rc)
		require.NoError(t, err)
		require.False(t, out.Done)
		require.True(t, out.WaitUntil.IsZero())
	})
	t.Run("DeleteWaitsAndIgnoresFail", func(t *testing.T) {
		t.Parallel()
		rc := newRC(t, typ, map[string]any{"fail": true, "action_wait_secs": map[string]any{"delete": 4}})
		out, err := typ.Delete(ctx, rc)
		require.NoError(t, err)
		require.False(t, out.Done)
		require.Equal(t, testNow.Add(4*time.Second), out.WaitUntil)
		rc.Data, rc.Now = roundTrip(t, out.Data), testNow.Add(5*time.Second)
		out, err = typ.Check(ctx, rc)
		require.NoError(t, err)
		require.True(t, out.Done)
	})
}

func TestDelayType(t *testing.T) {
	t.Parallel()

	ctx := context.Background()
	typ := DelayType()

	t.Run("NoWaitByDefault", func(t *testing.T) {
		t.Parallel()
		out, err := typ.Create(ctx, newRC(t, typ, nil))
		require.NoError(t, err)
		require.True(t, out.Done)
	})
	t.Run("MinWaitAndJitter", func(t *testing.T) {
		t.Parallel()
		rc := newRC(t, typ, map[string]any{"min_wait": 5, "max_jitter": 2, "jitter_multiplier": 0.5})
		out, err := typ.Create(ctx, rc)
		require.NoError(t, err)
		require.False(t, out.Done)
		require.False(t, out.WaitUntil.Before(testNow.Add(5*time.Second)))
		require.True(t, out.WaitUntil.Before(testNow.Add(6*time.Second)))

		rc.Data = roundTrip(t, out.Data)
		rc.Now = testNow.Add(time.Second)
		again, err := typ.Create(ctx, rc)
		require.NoError(t, err)
		require.Equal(t, out.WaitUntil, again.WaitUntil)

		rc.Now = out.WaitUntil
		done, err := typ.Check(ctx, rc)
		require.NoError(t, err)
		require.True(t, done.Done)
	})
	t.Run("OnlyListedActions", func(t *testing.T) {
		t.Parallel()
		rc := newRC(t, typ, map[string]any{"min_wait": 5, "actions": []any{"DELETE"}})
		out, err := typ.Create(ctx, rc)
		require.NoError(t, err)
		require.True(t, out.Done)
		rc.Data = roundTrip(t, out.Data)
		out, err = typ.Delete(ctx, rc)
		require.NoError(t, err)
		require.False(t, out.Done)
		require.Equal(t, testNow.Add(5*time.Second), out.WaitUntil)
	})
}
