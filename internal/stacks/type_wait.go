package stacks

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	"github.com/kilnhq/kiln/internal/engine"
)

// Wait conditions, after Heat's wait_condition.py and
// openstack/heat/wait_condition*.py.
//
// A WaitConditionHandle is signalled; each signal is a small document
// {"status": "SUCCESS"|"FAILURE", "reason": ..., "data": ..., "id": ...}
// and the handle's state is the signals folded by id (a repeated id
// overwrites). The stack layer stores the signals (RC.Signals); the
// handle only validates each one (Signal) and folds them.
//
// A WaitCondition points at a handle and stays CREATE_IN_PROGRESS until
// the handle holds count SUCCESS signals (distinct ids), fails at the
// first FAILURE, and fails with WaitConditionTimeout after timeout
// seconds. Heat polls the handle; in Kiln the stack layer must call Check
// on a stack's in-progress resources when any resource of the stack is
// signalled, and at Outcome.WaitUntil (the deadline).

// Data keys of a WaitConditionHandle that the stack layer reads or fills.
const (
	// HandleDataEndpoint is the handle's signal URL,
	// <public heat url>/v1/<project>/stacks/<name>/<id>/resources/<handle>/signal.
	// The stack layer must set RC.Data[HandleDataEndpoint] before calling
	// Create on a signallable type; the endpoint and curl_cli attributes
	// are made from it.
	HandleDataEndpoint = "endpoint"
	// HandleDataToken is the token that may signal the handle. The stack
	// layer may set it before Create (a token the identity layer accepts);
	// otherwise Create makes a random secret and keeps it here, and the
	// signal endpoint may accept it as X-Auth-Token for this handle.
	HandleDataToken = "token"
	// handleDataTransport marks a resource as a wait condition handle.
	handleDataTransport = "signal_transport"
)

var signalTransports = []any{"CFN_SIGNAL", "TEMP_URL_SIGNAL", "HEAT_SIGNAL", "NO_SIGNAL", "ZAQAR_SIGNAL", "TOKEN_SIGNAL"}

type waitHandleType struct{ baseType }

// WaitConditionHandleType is OS::Heat::WaitConditionHandle. With the
// default TOKEN_SIGNAL transport its attributes are the token, the
// endpoint, a ready curl command and "signal" (JSON null); NO_SIGNAL gives
// "{}" and null for the others; HEAT_SIGNAL gives {"alarm_url":
// endpoint} (Kiln makes no stack user, so no credentials). CFN_SIGNAL,
// TEMP_URL_SIGNAL and ZAQAR_SIGNAL need services Kiln does not serve and
// fail as Heat does without them.
func WaitConditionHandleType() ResourceType {
	attr := func(desc string) AttributeSchema { return AttributeSchema{Description: desc, Type: "string"} }
	return waitHandleType{baseType{&TypeSchema{
		Attributes: map[string]AttributeSchema{
			"curl_cli": attr("Convenience attribute, provides curl CLI command prefix, which can be used for signalling handle completion or failure when signal_transport is set to TOKEN_SIGNAL. You can signal success by adding --data-binary '{\"status\": \"SUCCESS\"}' , or signal failure by adding --data-binary '{\"status\": \"FAILURE\"}'. This attribute is set to None for all other signal transports."),
			"endpoint": attr("Endpoint/url which can be used for signalling handle when signal_transport is set to TOKEN_SIGNAL. None for all other signal transports."),
			"signal":   attr("JSON serialized map that includes the endpoint, token and/or other attributes the client must use for signalling this handle. The contents of this map depend on the type of signal selected in the signal_transport property."),
			"token":    attr("Token for stack-user which can be used for signalling handle when signal_transport is set to TOKEN_SIGNAL. None for all other signal transports."),
		},
		ClassName: "HeatWaitConditionHandle",
		Description: "Resource for managing instance signals.\n\n" +
			"The main points of this resource are:\n" +
			"  - have no dependencies (so the instance can reference it).\n" +
			"  - create credentials to allow for signalling from the instance.\n" +
			"  - handle signals from the instance, validate and store result.",
		Name: "OS::Heat::WaitConditionHandle",
		Properties: map[string]PropertySchema{
			"signal_transport": {
				Constraints: []Constraint{{AllowedValues: signalTransports}},
				Default:     "TOKEN_SIGNAL",
				Description: "How the client will signal the wait condition. CFN_SIGNAL will allow an HTTP POST to a CFN keypair signed URL. " +
					"TEMP_URL_SIGNAL will create a Swift TempURL to be signalled via HTTP PUT. HEAT_SIGNAL will allow calls to the Heat API " +
					"resource-signal using the provided keystone credentials. ZAQAR_SIGNAL will create a dedicated zaqar queue to be signalled " +
					"using the provided keystone credentials. TOKEN_SIGNAL will allow and HTTP POST to a Heat API endpoint with the provided " +
					"keystone token. NO_SIGNAL will result in the resource going to a signalled state without waiting for any signal.",
				Type: "string",
			},
		},
		Signallable: true,
		Version:     "2014.2",
	}}}
}

func endpointNotFound(op string) *engine.Error {
	return resourceError(op, "EndpointNotFound", "Could not find requested endpoint in Service Catalog.")
}

func (t waitHandleType) Check(ctx context.Context, rc *RC) (*Outcome, error) {
	return t.Create(ctx, rc)
}

func (waitHandleType) Create(_ context.Context, rc *RC) (*Outcome, error) {
	const op = "resource.create"
	transport, _ := rc.Properties["signal_transport"].(string)
	if transport == "" {
		transport = "TOKEN_SIGNAL"
	}
	id := dataString(rc.Data, "user_id")
	if id == "" {
		id = randomHex(16) // Heat's physical id is the stack user's id
	}
	data := withData(rc.Data, handleDataTransport, transport, "user_id", id)
	endpoint := dataString(rc.Data, HandleDataEndpoint)
	attrs := map[string]any{"curl_cli": nil, "endpoint": nil, "signal": "null", "token": nil}
	switch transport {
	case "TOKEN_SIGNAL":
		if endpoint == "" {
			return nil, endpointNotFound(op)
		}
		token := dataString(rc.Data, HandleDataToken)
		if token == "" {
			var b [32]byte
			randomBytes(b[:])
			token = base64.RawURLEncoding.EncodeToString(b[:])
			data[HandleDataToken] = token
		}
		attrs["token"] = token
		attrs["endpoint"] = endpoint
		attrs["curl_cli"] = "curl -i -X POST -H 'X-Auth-Token: " + token + "' -H 'Content-Type: application/json' -H 'Accept: application/json' " + endpoint
	case "HEAT_SIGNAL":
		if endpoint == "" {
			return nil, endpointNotFound(op)
		}
		attrs["signal"] = pyJSON(map[string]any{"alarm_url": endpoint})
	case "NO_SIGNAL":
		attrs["signal"] = "{}"
	default:
		return nil, endpointNotFound(op)
	}
	return &Outcome{Attributes: attrs, Data: data, Done: true, PhysicalID: id}, nil
}

// Signal validates one signal as Heat's handle_signal and answers the
// SIGNAL event's reason, "Signal: status:SUCCESS reason:Signal 1 received".
func (waitHandleType) Signal(_ context.Context, rc *RC, data json.RawMessage) (string, error) {
	state := foldSignals(rc.Signals)
	e, err := parseHandleSignal(data, len(state.order))
	if err != nil {
		return "", err
	}
	return "Signal: status:" + e.status + " reason:" + e.reason, nil
}

// handleSignal is one signal, normalised.
type handleSignal struct {
	data   json.RawMessage // "null" when absent
	id     string          // Python str() of the id
	reason string
	status string
}

// handleState is a handle's signals folded by id, ids in first-seen
// order (a Python dict's).
type handleState struct {
	entries map[string]handleSignal
	order   []string
}

func (s *handleState) add(e handleSignal) {
	if _, ok := s.entries[e.id]; !ok {
		s.order = append(s.order, e.id)
	}
	s.entries[e.id] = e
}

// foldSignals replays stored signals; ones that fail validation (which
// Signal refused) are skipped.
func foldSignals(signals []SignalData) *handleState {
	s := &handleState{entries: map[string]handleSignal{}}
	for _, sig := range signals {
		if e, err := parseHandleSignal(sig.Data, len(s.order)); err == nil {
			s.add(e)
		}
	}
	return s
}

// HandleMetadata is a wait condition handle's metadata as Heat keeps it
// and GET .../resources/<handle>/metadata shows it: the signals folded by
// id, {"<id>": {"data": ..., "reason": ..., "status": ...}}.
func HandleMetadata(signals []SignalData) map[string]any {
	s := foldSignals(signals)
	out := make(map[string]any, len(s.order))
	for _, id := range s.order {
		e := s.entries[id]
		var data any
		dec := json.NewDecoder(bytes.NewReader(e.data))
		dec.UseNumber()
		if dec.Decode(&data) != nil {
			data = nil
		}
		out[id] = map[string]any{"data": data, "reason": e.reason, "status": e.status}
	}
	return out
}

func (s *handleState) reasons(status string) []string {
	var out []string
	for _, id := range s.order {
		if e := s.entries[id]; e.status == status {
			out = append(out, e.reason)
		}
	}
	return out
}

// dataJSON is the wait condition's data attribute: Python's json.dumps of
// {id: data}.
func (s *handleState) dataJSON() string {
	parts := make([]string, 0, len(s.order))
	for _, id := range s.order {
		d, err := pyJSONRaw(s.entries[id].data)
		if err != nil {
			d = "null"
		}
		parts = append(parts, pyJSONString(id)+": "+d)
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

var errMetadataFormat = &engine.Error{
	Kind: engine.KindInvalid, Code: "ValueError", Op: "resource.signal", Msg: "Metadata format invalid",
}

// parseHandleSignal is Heat's normalise_signal_data and
// _metadata_format_ok: an empty (or false-y) body is {}; missing keys
// default to SUCCESS, "Signal <n> received", null data and id n, where n
// is the number of ids seen before plus one; any other key or status is
// "Metadata format invalid".
func parseHandleSignal(raw json.RawMessage, seen int) (handleSignal, error) {
	n := seen + 1
	e := handleSignal{data: json.RawMessage("null"), id: strconv.Itoa(n), reason: "Signal " + strconv.Itoa(n) + " received", status: "SUCCESS"}
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return e, nil
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return e, errMetadataFormat
	}
	if !pyTruthy(v) {
		return e, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return e, errMetadataFormat
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return e, errMetadataFormat
	}
	for k, val := range m {
		switch k {
		case "data":
			e.data = fields[k]
		case "id":
			e.id = pyStr(val)
		case "reason":
			e.reason = pyStr(val)
		case "status":
			s, _ := val.(string)
			if s != "SUCCESS" && s != "FAILURE" {
				return e, errMetadataFormat
			}
			e.status = s
		default:
			return e, errMetadataFormat
		}
	}
	return e, nil
}

type waitConditionType struct{ baseType }

// WaitConditionType is OS::Heat::WaitCondition: see the comment at the
// top of this file. Its data attribute is the JSON text {"<id>": data}
// of the handle's signals.
func WaitConditionType() ResourceType {
	return waitConditionType{baseType{&TypeSchema{
		Attributes: map[string]AttributeSchema{
			"data": {Description: "JSON string containing data associated with wait condition signals sent to the handle.", Type: "string"},
		},
		ClassName: "HeatWaitCondition",
		Description: "Resource for handling signals received by WaitConditionHandle.\n\n" +
			"Resource takes WaitConditionHandle and starts to create. Resource is in\n" +
			"CREATE_IN_PROGRESS status until WaitConditionHandle doesn't receive\n" +
			"sufficient number of successful signals (this number can be specified with\n" +
			"count property) and successfully creates after that, or fails due to\n" +
			"timeout.",
		Name: "OS::Heat::WaitCondition",
		Properties: map[string]PropertySchema{
			"count": {
				Constraints: []Constraint{{Range: &Range{Min: ptr(1)}}},
				Default:     1,
				Description: "The number of success signals that must be received before the stack creation process continues.",
				Type:        "integer", UpdateAllowed: true,
			},
			"handle": {
				Description: "A reference to the wait condition handle used to signal this wait condition.",
				Required:    true, Type: "string",
			},
			"timeout": {
				Constraints: []Constraint{{Range: &Range{Min: ptr(1), Max: ptr(43200)}}},
				Description: "The number of seconds to wait for the correct number of signals to arrive.",
				Required:    true, Type: "number",
			},
		},
		Version: "2014.2",
	}}}
}

func (waitConditionType) Create(ctx context.Context, rc *RC) (*Outcome, error) {
	data := rc.Data
	if _, ok := dataTime(data, "started_at"); !ok {
		data = withData(data, "started_at", timeText(rc.Now))
	}
	return waitConditionCheck(ctx, rc, data)
}

func (t waitConditionType) Check(ctx context.Context, rc *RC) (*Outcome, error) {
	return t.Create(ctx, rc)
}

// Update is Heat's HeatWaitCondition.handle_update (only count may change
// in place): the wait starts again with the new count, over the handle's
// signals so far.
func (waitConditionType) Update(ctx context.Context, rc *RC, _ map[string]any) (*Outcome, error) {
	return waitConditionCheck(ctx, rc, withData(rc.Data, "started_at", timeText(rc.Now)))
}

// waitConditionCheck is Heat's HeatWaitCondition._wait: the timeout
// first, then any failure, then the count.
func waitConditionCheck(ctx context.Context, rc *RC, data map[string]any) (*Outcome, error) {
	const op = "resource.create"
	ref := pyStr(rc.Properties["handle"])
	invalid := func(name string) error {
		return resourceError(op, "ValueError", name+" is not a valid wait condition handle.")
	}
	if rc.StackAccess == nil {
		return nil, invalid(ref)
	}
	handle, err := rc.StackAccess.Resource(ctx, ref)
	if err != nil {
		var e *engine.Error
		if errors.As(err, &e) && e.Kind == engine.KindNotFound {
			return nil, invalid(ref)
		}
		return nil, err
	}
	transport := dataString(handle.Data, handleDataTransport)
	if transport == "" {
		return nil, invalid(handle.Name)
	}
	count := 1
	if n, ok := numberOf(rc.Properties["count"]); ok {
		count = int(n)
	}
	state := foldSignals(handle.Signals)
	if transport == "NO_SIGNAL" {
		// Heat signals a NO_SIGNAL handle itself on every poll.
		for len(state.order) < count {
			e, _ := parseHandleSignal(nil, len(state.order))
			state.add(e)
		}
	}
	timeout, _ := numberOf(rc.Properties["timeout"])
	started, ok := dataTime(data, "started_at")
	if !ok {
		started = rc.Now
	}
	deadline := started.Add(seconds(timeout))
	if !rc.Now.Before(deadline) {
		ok := state.reasons("SUCCESS")
		msg := strconv.Itoa(len(ok)) + " of " + strconv.Itoa(count) + " received"
		if len(ok) > 0 {
			msg += " - " + strings.Join(ok, ";")
		}
		return nil, resourceError(op, "WaitConditionTimeout", msg)
	}
	for _, id := range state.order {
		if state.entries[id].status != "SUCCESS" {
			return nil, resourceError(op, "WaitConditionFailure", strings.Join(state.reasons("FAILURE"), ";"))
		}
	}
	out := &Outcome{Attributes: map[string]any{"data": state.dataJSON()}, Data: data}
	if len(state.order) >= count {
		out.Done = true
	} else {
		out.WaitUntil = deadline
	}
	return out, nil
}
