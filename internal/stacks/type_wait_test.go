package stacks

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kilnhq/kiln/internal/engine"
)

const testEndpoint = "http://127.0.0.1:8004/v1/p/stacks/st/sid/resources/handle/signal"

// fakeStack is a StackAccess over fixed resources.
type fakeStack map[string]*RC

func (f fakeStack) Resource(_ context.Context, nameOrID string) (*RC, error) {
	if rc, ok := f[nameOrID]; ok {
		return rc, nil
	}
	for _, rc := range f {
		if rc.PhysicalID == nameOrID {
			return rc, nil
		}
	}
	return nil, &engine.Error{Kind: engine.KindNotFound, Code: "ResourceNotFound", Msg: "not found"}
}

func testSignals(bodies ...string) []SignalData {
	out := make([]SignalData, len(bodies))
	for i, b := range bodies {
		out[i] = SignalData{Data: json.RawMessage(b)}
	}
	return out
}

// createdHandle creates a handle named "handle" with the given transport.
func createdHandle(t *testing.T, transport string) *RC {
	t.Helper()
	rc := newRC(t, WaitConditionHandleType(), map[string]any{"signal_transport": transport})
	rc.Name = "handle"
	rc.Data[HandleDataEndpoint] = testEndpoint
	out, err := WaitConditionHandleType().Create(context.Background(), rc)
	require.NoError(t, err)
	rc.Data, rc.PhysicalID = roundTrip(t, out.Data), out.PhysicalID
	return rc
}

func TestWaitConditionHandleCreate(t *testing.T) {
	t.Parallel()

	ctx := context.Background()
	typ := WaitConditionHandleType()
	require.True(t, typ.Schema().Signallable)

	t.Run("TokenSignal", func(t *testing.T) {
		t.Parallel()
		rc := newRC(t, typ, nil)
		rc.Data[HandleDataEndpoint] = testEndpoint
		out, err := typ.Create(ctx, rc)
		require.NoError(t, err)
		require.True(t, out.Done)
		require.Regexp(t, `^[0-9a-f]{32}$`, out.PhysicalID)
		token := out.Attributes["token"].(string)
		require.NotEmpty(t, token)
		require.Equal(t, testEndpoint, out.Attributes["endpoint"])
		require.Equal(t, "curl -i -X POST -H 'X-Auth-Token: "+token+"' -H 'Content-Type: application/json' -H 'Accept: application/json' "+testEndpoint, out.Attributes["curl_cli"])
		require.Equal(t, "null", out.Attributes["signal"])

		rc.Data = roundTrip(t, out.Data)
		again, err := typ.Create(ctx, rc)
		require.NoError(t, err)
		require.Equal(t, out.PhysicalID, again.PhysicalID)
		require.Equal(t, token, again.Attributes["token"])
	})
	t.Run("GivenToken", func(t *testing.T) {
		t.Parallel()
		rc := newRC(t, typ, nil)
		rc.Data[HandleDataEndpoint], rc.Data[HandleDataToken] = testEndpoint, "tok"
		out, err := typ.Create(ctx, rc)
		require.NoError(t, err)
		require.Equal(t, "tok", out.Attributes["token"])
	})
	t.Run("NoEndpoint", func(t *testing.T) {
		t.Parallel()
		_, err := typ.Create(ctx, newRC(t, typ, nil))
		require.Equal(t, "EndpointNotFound", engine.CodeOf(err))
		require.Equal(t, "EndpointNotFound: resources.r: Could not find requested endpoint in Service Catalog.", ResourceFailureReason("r", err))
	})
	t.Run("NoSignal", func(t *testing.T) {
		t.Parallel()
		out, err := typ.Create(ctx, newRC(t, typ, map[string]any{"signal_transport": "NO_SIGNAL"}))
		require.NoError(t, err)
		require.Equal(t, map[string]any{"curl_cli": nil, "endpoint": nil, "signal": "{}", "token": nil}, out.Attributes)
	})
	t.Run("HeatSignal", func(t *testing.T) {
		t.Parallel()
		rc := newRC(t, typ, map[string]any{"signal_transport": "HEAT_SIGNAL"})
		rc.Data[HandleDataEndpoint] = testEndpoint
		out, err := typ.Create(ctx, rc)
		require.NoError(t, err)
		require.Equal(t, `{"alarm_url": "`+testEndpoint+`"}`, out.Attributes["signal"])
	})
	t.Run("UnservedTransport", func(t *testing.T) {
		t.Parallel()
		rc := newRC(t, typ, map[string]any{"signal_transport": "ZAQAR_SIGNAL"})
		rc.Data[HandleDataEndpoint] = testEndpoint
		_, err := typ.Create(ctx, rc)
		require.Equal(t, "EndpointNotFound", engine.CodeOf(err))
	})
}

func TestWaitConditionHandleSignal(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name    string
		prior   []SignalData
		body    string
		want    string
		wantErr bool
	}{
		{name: "Empty", body: "", want: "Signal: status:SUCCESS reason:Signal 1 received"},
		{name: "Null", body: "null", want: "Signal: status:SUCCESS reason:Signal 1 received"},
		{name: "EmptyObject", body: "{}", want: "Signal: status:SUCCESS reason:Signal 1 received"},
		{name: "Full", body: `{"status": "SUCCESS", "reason": "ok", "data": "x", "id": "a"}`, want: "Signal: status:SUCCESS reason:ok"},
		{name: "Failure", body: `{"status": "FAILURE", "reason": "broke"}`, want: "Signal: status:FAILURE reason:broke"},
		{name: "CountsPriorIDs", prior: testSignals(`{}`, `{"id": "x"}`), body: `{}`, want: "Signal: status:SUCCESS reason:Signal 3 received"},
		{name: "RepeatedIDCountsOnce", prior: testSignals(`{"id": "x"}`, `{"id": "x"}`), body: `{}`, want: "Signal: status:SUCCESS reason:Signal 2 received"},
		{name: "InvalidPriorSkipped", prior: testSignals(`{"bogus": 1}`), body: `{}`, want: "Signal: status:SUCCESS reason:Signal 1 received"},
		{name: "ReasonNotString", body: `{"reason": 5}`, want: "Signal: status:SUCCESS reason:5"},
		{name: "ReasonNull", body: `{"reason": null}`, want: "Signal: status:SUCCESS reason:None"},
		{name: "BadStatus", body: `{"status": "DONE"}`, wantErr: true},
		{name: "LowercaseStatus", body: `{"status": "success"}`, wantErr: true},
		{name: "ExtraKey", body: `{"status": "SUCCESS", "extra": 1}`, wantErr: true},
		{name: "List", body: `[1]`, wantErr: true},
		{name: "String", body: `"done"`, wantErr: true},
		{name: "Malformed", body: `{`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rc := &RC{Name: "handle", Signals: tt.prior}
			reason, err := WaitConditionHandleType().Signal(context.Background(), rc, json.RawMessage(tt.body))
			if tt.wantErr {
				require.Error(t, err)
				require.Equal(t, engine.KindInvalid, engine.KindOf(err))
				require.Equal(t, "ValueError", engine.CodeOf(err))
				require.Equal(t, "Metadata format invalid", engine.MessageOf(err))
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, reason)
		})
	}
}

func TestWaitCondition(t *testing.T) {
	t.Parallel()

	ctx := context.Background()
	typ := WaitConditionType()

	type testBundle struct {
		handle *RC
		rc     *RC
	}
	setup := func(t *testing.T, props map[string]any, transport string) *testBundle {
		t.Helper()
		handle := createdHandle(t, transport)
		if props == nil {
			props = map[string]any{}
		}
		if _, ok := props["handle"]; !ok {
			props["handle"] = handle.PhysicalID // what get_resource gives
		}
		if _, ok := props["timeout"]; !ok {
			props["timeout"] = 300
		}
		rc := newRC(t, typ, props)
		rc.Name = "wc"
		rc.StackAccess = fakeStack{"handle": handle}
		return &testBundle{handle: handle, rc: rc}
	}

	t.Run("WaitsThenCompletes", func(t *testing.T) {
		t.Parallel()
		b := setup(t, map[string]any{"count": 2}, "TOKEN_SIGNAL")
		out, err := typ.Create(ctx, b.rc)
		require.NoError(t, err)
		require.False(t, out.Done)
		require.Equal(t, testNow.Add(300*time.Second), out.WaitUntil)
		require.Equal(t, "{}", out.Attributes["data"])

		b.rc.Data = roundTrip(t, out.Data)
		b.rc.Now = testNow.Add(10 * time.Second)
		b.handle.Signals = testSignals(`{"status": "SUCCESS", "reason": "ok", "data": "x"}`)
		out, err = typ.Check(ctx, b.rc)
		require.NoError(t, err)
		require.False(t, out.Done)
		require.Equal(t, testNow.Add(300*time.Second), out.WaitUntil)
		require.Equal(t, `{"1": "x"}`, out.Attributes["data"])

		b.handle.Signals = testSignals(`{"status": "SUCCESS", "reason": "ok", "data": "x"}`, `{"data": {"b": 1, "a": [2.0]}, "id": "n2"}`)
		out, err = typ.Check(ctx, b.rc)
		require.NoError(t, err)
		require.True(t, out.Done)
		require.Equal(t, `{"1": "x", "n2": {"b": 1, "a": [2.0]}}`, out.Attributes["data"])
	})
	t.Run("SameIDCountsOnce", func(t *testing.T) {
		t.Parallel()
		b := setup(t, map[string]any{"count": 2}, "TOKEN_SIGNAL")
		b.handle.Signals = testSignals(`{"id": "a", "data": 1}`, `{"id": "a", "data": 2}`)
		out, err := typ.Create(ctx, b.rc)
		require.NoError(t, err)
		require.False(t, out.Done)
		require.Equal(t, `{"a": 2}`, out.Attributes["data"])
	})
	t.Run("HandleByName", func(t *testing.T) {
		t.Parallel()
		b := setup(t, map[string]any{"handle": "handle"}, "TOKEN_SIGNAL")
		b.handle.Signals = testSignals(``)
		out, err := typ.Create(ctx, b.rc)
		require.NoError(t, err)
		require.True(t, out.Done)
		require.Equal(t, `{"1": null}`, out.Attributes["data"])
	})
	t.Run("Failure", func(t *testing.T) {
		t.Parallel()
		b := setup(t, map[string]any{"count": 3}, "TOKEN_SIGNAL")
		b.handle.Signals = testSignals(`{}`, `{"status": "FAILURE", "reason": "disk"}`, `{"status": "FAILURE", "reason": "net"}`)
		_, err := typ.Create(ctx, b.rc)
		require.Equal(t, "WaitConditionFailure", engine.CodeOf(err))
		require.Equal(t, "disk;net", engine.MessageOf(err))
		require.Equal(t, "WaitConditionFailure: resources.wc: disk;net", ResourceFailureReason("wc", err))
	})
	t.Run("TimeoutNoSignals", func(t *testing.T) {
		t.Parallel()
		b := setup(t, nil, "TOKEN_SIGNAL")
		out, err := typ.Create(ctx, b.rc)
		require.NoError(t, err)
		b.rc.Data = roundTrip(t, out.Data)
		b.rc.Now = out.WaitUntil
		_, err = typ.Check(ctx, b.rc)
		require.Equal(t, "WaitConditionTimeout", engine.CodeOf(err))
		require.Equal(t, "WaitConditionTimeout: resources.wc: 0 of 1 received", ResourceFailureReason("wc", err))
	})
	t.Run("TimeoutWithSomeSignals", func(t *testing.T) {
		t.Parallel()
		b := setup(t, map[string]any{"count": 3, "timeout": 60}, "TOKEN_SIGNAL")
		out, err := typ.Create(ctx, b.rc)
		require.NoError(t, err)
		b.handle.Signals = testSignals(`{}`, `{"reason": "half"}`)
		b.rc.Data = roundTrip(t, out.Data)
		b.rc.Now = testNow.Add(61 * time.Second)
		_, err = typ.Check(ctx, b.rc)
		require.Equal(t, "2 of 3 received - Signal 1 received;half", engine.MessageOf(err))
	})
	t.Run("RepeatAfterCrashKeepsStart", func(t *testing.T) {
		t.Parallel()
		b := setup(t, nil, "TOKEN_SIGNAL")
		first, err := typ.Create(ctx, b.rc)
		require.NoError(t, err)
		b.rc.Data = roundTrip(t, first.Data)
		b.rc.Now = testNow.Add(100 * time.Second)
		second, err := typ.Create(ctx, b.rc)
		require.NoError(t, err)
		require.Equal(t, first.WaitUntil, second.WaitUntil)
	})
	t.Run("NoSignalTransport", func(t *testing.T) {
		t.Parallel()
		b := setup(t, map[string]any{"count": 2}, "NO_SIGNAL")
		out, err := typ.Create(ctx, b.rc)
		require.NoError(t, err)
		require.True(t, out.Done)
		require.Equal(t, `{"1": null, "2": null}`, out.Attributes["data"])
	})
	t.Run("MissingHandle", func(t *testing.T) {
		t.Parallel()
		b := setup(t, map[string]any{"handle": "nope"}, "TOKEN_SIGNAL")
		_, err := typ.Create(ctx, b.rc)
		require.Equal(t, "ValueError: resources.wc: nope is not a valid wait condition handle.", ResourceFailureReason("wc", err))
	})
	t.Run("NotAHandle", func(t *testing.T) {
		t.Parallel()
		b := setup(t, map[string]any{"handle": "other"}, "TOKEN_SIGNAL")
		b.rc.StackAccess = fakeStack{"other": {Name: "other", Data: map[string]any{"value": "x"}}}
		_, err := typ.Create(ctx, b.rc)
		require.Equal(t, "other is not a valid wait condition handle.", engine.MessageOf(err))
	})
	t.Run("DeleteIsImmediate", func(t *testing.T) {
		t.Parallel()
		b := setup(t, nil, "TOKEN_SIGNAL")
		out, err := typ.Delete(ctx, b.rc)
		require.NoError(t, err)
		require.True(t, out.Done)
	})
}

func TestHandleMetadata(t *testing.T) {
	t.Parallel()

	md := HandleMetadata(testSignals(`{"data": {"k": 1}}`, `{"id": "x", "status": "FAILURE", "reason": "r"}`, `{"bad": true}`))
	requireJSON(t, `{
		"1": {"data": {"k": 1}, "reason": "Signal 1 received", "status": "SUCCESS"},
		"x": {"data": null, "reason": "r", "status": "FAILURE"}}`, md)
}
