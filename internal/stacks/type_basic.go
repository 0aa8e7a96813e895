package stacks

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/kilnhq/kiln/internal/engine"
)

// The OS::Heat::* types that need no other service, after
// heat/engine/resources/openstack/heat. Each keeps what it decided (a
// random value, a wait deadline) in Outcome.Data, and reads it back from
// RC.Data when called again, so a Create, Check or Delete repeated after a
// crash decides the same thing.
//
// A type's Create, Check or Delete error is the resource's failure: its
// Code is Heat's exception name and its Msg the exception text, and the
// resource's status reason is ResourceFailureReason of it, e.g.
// "ValueError: resources.r: Test Resource failed r".

// BuiltinTypes lists the OS::Heat::* types Kiln implements, for
// NewRegistry.
func BuiltinTypes() []ResourceType {
	return []ResourceType{
		DelayType(),
		NoneType(),
		RandomStringType(),
		TestResourceType(),
		ValueType(),
		WaitConditionHandleType(),
		WaitConditionType(),
	}
}

// RefIDer is implemented by a type whose reference (what get_resource and
// Ref answer once the resource exists) is not its physical id. The stack
// layer must call RefID for such a type instead of using RC.PhysicalID:
// OS::Heat::RandomString answers its random value, so {get_resource: pw}
// is the password itself, as in Heat.
type RefIDer interface {
	RefID(rc *RC) any
}

// ResourceFailureReason is Heat's status reason for a resource whose
// action failed with err: "<exception>: resources.<name>: <message>".
func ResourceFailureReason(resourceName string, err error) string {
	code := engine.CodeOf(err)
	if code == "" {
		code = "Error"
	}
	msg := engine.MessageOf(err)
	if msg == "" {
		msg = "An unknown exception occurred."
	}
	return code + ": resources." + resourceName + ": " + msg
}

// resourceError is a resource action failure with Heat's exception name
// and text.
func resourceError(op, code, msg string) *engine.Error {
	return &engine.Error{Kind: engine.KindInvalid, Code: code, Op: op, Msg: msg}
}

// PhysicalResourceName is Heat's physical_resource_name:
// "<stack>-<resource>-<12 random lowercase base32 characters>", cut to
// 255 characters as Heat does (first two characters, "-", the tail).
func PhysicalResourceName(stackName, resourceName string) string {
	name := strings.TrimRight(stackName, "*") + "-" + resourceName + "-" + ShortID()
	const limit = 255
	if len(name) <= limit {
		return name
	}
	return name[:2] + "-" + name[len(name)-(limit-3):]
}

// ShortID is Heat's short_id.generate_id: 12 random characters of the
// lowercase base32 alphabet (a-z, 2-7).
func ShortID() string {
	var b [8]byte
	randomBytes(b[:])
	return strings.ToLower(base32.StdEncoding.EncodeToString(b[:]))[:12]
}

func newUUID() string {
	var b [16]byte
	randomBytes(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func randomHex(n int) string {
	b := make([]byte, n)
	randomBytes(b)
	return hex.EncodeToString(b)
}

func randomBytes(b []byte) {
	if _, err := rand.Read(b); err != nil {
		panic("stacks: crypto/rand: " + err.Error()) // never fails on supported platforms
	}
}

// randomIntn is a uniform random integer in [0, n).
func randomIntn(n int) int {
	v, err := rand.Int(rand.Reader, big.NewInt(int64(n)))
	if err != nil {
		panic("stacks: crypto/rand: " + err.Error())
	}
	return int(v.Int64())
}

// randomFloat is a uniform random float in [0, 1).
func randomFloat() float64 {
	var b [8]byte
	randomBytes(b[:])
	return float64(binary.BigEndian.Uint64(b[:])>>11) / (1 << 53)
}

// withData copies the type's private state and sets kv on the copy.
func withData(old map[string]any, kv ...any) map[string]any {
	out := make(map[string]any, len(old)+len(kv)/2)
	for k, v := range old {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i].(string)] = kv[i+1]
	}
	return out
}

func dataString(data map[string]any, key string) string {
	s, _ := data[key].(string)
	return s
}

func dataFloat(data map[string]any, key string) (float64, bool) {
	if data[key] == nil {
		return 0, false
	}
	return numberOf(data[key])
}

// dataTime reads a time stored as RFC 3339 text (Data goes through JSON).
func dataTime(data map[string]any, key string) (time.Time, bool) {
	switch v := data[key].(type) {
	case time.Time:
		return v, true
	case string:
		t, err := time.Parse(time.RFC3339Nano, v)
		return t, err == nil
	}
	return time.Time{}, false
}

func timeText(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func seconds(f float64) time.Duration { return time.Duration(f * float64(time.Second)) }

func ptr(f float64) *float64 { return &f }

// baseType gives a type its schema and the answers shared by most types.
// Types whose Create finishes at once answer Check as Create: Check is
// what the stack layer calls for a resource left CREATE_IN_PROGRESS, which
// is where a crash between committing CREATE_IN_PROGRESS and committing
// Create's outcome leaves it.
type baseType struct{ schema *TypeSchema }

func (t baseType) Schema() *TypeSchema { return t.schema }

func (baseType) Delete(context.Context, *RC) (*Outcome, error) { return &Outcome{Done: true}, nil }

func (baseType) Signal(context.Context, *RC, json.RawMessage) (string, error) {
	return "", ErrNotSignallable
}

// # OS::Heat::None

type noneType struct{ baseType }

// NoneType is OS::Heat::None: a placeholder that accepts any properties,
// answers null for any attribute, and takes a random UUID as physical id.
func NoneType() ResourceType {
	return noneType{baseType{&TypeSchema{
		AnyAttributes: true,
		AnyProperties: true,
		ClassName:     "NoneResource",
		Description: "Enables easily disabling certain resources via the resource_registry.\n\n" +
			"It does nothing, but can effectively stub out any other resource because it\n" +
			"will accept any properties and return any attribute (as None). Note this\n" +
			"resource always does nothing on update (e.g it is not replaced even if a\n" +
			"change to the stubbed resource properties would cause replacement).",
		Name:    "OS::Heat::None",
		Version: "5.0.0",
	}}}
}

func (t noneType) Check(ctx context.Context, rc *RC) (*Outcome, error) { return t.Create(ctx, rc) }

// neverUpdated: Heat's NoneResource is never updated nor replaced when
// its properties change.
func (noneType) neverUpdated() {}

func (noneType) Create(_ context.Context, rc *RC) (*Outcome, error) {
	id := dataString(rc.Data, "id")
	if id == "" {
		id = newUUID()
	}
	return &Outcome{
		Attributes: map[string]any{},
		Data:       withData(rc.Data, "id", id, "is_placeholder", "True"),
		Done:       true,
		PhysicalID: id,
	}, nil
}

// # OS::Heat::Value

type valueType struct{ baseType }

// valueTypes maps Value's "type" to the property type its value takes.
var valueTypes = map[string]string{
	"boolean": "boolean", "comma_delimited_list": "list", "json": "map", "number": "number", "string": "string",
}

// ValueType is OS::Heat::Value: its "value" attribute is its value
// property, which must fit its "type" when one is given.
func ValueType() ResourceType {
	return valueType{baseType{&TypeSchema{
		Attributes: map[string]AttributeSchema{
			"value": {Description: "The value generated by this resource's properties \"value\" expression, with type determined from the properties \"type\"."},
		},
		ClassName: "Value",
		Description: "A resource which exposes its value property as an attribute.\n\n" +
			"This is useful for exposing a value that is a simple manipulation\n" +
			"of other template parameters and/or other resources.",
		Name: "OS::Heat::Value",
		Properties: map[string]PropertySchema{
			"type": {
				Constraints: []Constraint{{AllowedValues: []any{"string", "number", "comma_delimited_list", "json", "boolean"}}},
				Description: `The type of the "value" property.`, Type: "string", UpdateAllowed: true,
			},
			"value": {Description: `The expression to generate the "value" attribute.`, Required: true, Type: "any", UpdateAllowed: true},
		},
		ValidateFunc: validateValue,
		Version:      "7.0.0",
	}}}
}

// validateValue checks "value" against the schema its "type" names, as
// Heat's Value.reparse. The value itself stays as given: Heat's attribute
// reads it through the type's original (any) schema, so a "42" of type
// number is the string "42" in the attribute too.
func validateValue(resourceName string, props map[string]any) (map[string]any, error) {
	t, _ := props["type"].(string)
	typ, ok := valueTypes[t]
	if !ok {
		return props, nil
	}
	if _, err := propertyValue(PropertySchema{Required: true, Type: typ}, props["value"]); err != nil {
		return nil, propertyError(resourceName, append([]string{"value"}, err.path...), err.msg)
	}
	return props, nil
}

func (t valueType) Check(ctx context.Context, rc *RC) (*Outcome, error) { return t.Create(ctx, rc) }

// Update changes the value in place (Heat's Value.handle_update), keeping
// the physical id.
func (t valueType) Update(ctx context.Context, rc *RC, _ map[string]any) (*Outcome, error) {
	return t.Create(ctx, rc)
}

func (valueType) Create(_ context.Context, rc *RC) (*Outcome, error) {
	id := dataString(rc.Data, "physical_id")
	if id == "" {
		id = PhysicalResourceName(rc.Stack.Name, rc.Name)
	}
	return &Outcome{
		Attributes: map[string]any{"value": rc.Properties["value"]},
		Data:       withData(rc.Data, "physical_id", id),
		Done:       true,
		PhysicalID: id,
	}, nil
}

// # OS::Heat::RandomString

type randomStringType struct{ baseType }

// charClasses are Heat's password_gen character classes.
var charClasses = map[string]string{
	"lettersdigits": "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
	"letters":       "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
	"lowercase":     "abcdefghijklmnopqrstuvwxyz",
	"uppercase":     "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
	"digits":        "0123456789",
	"hexdigits":     "0123456789ABCDEF",
	"octdigits":     "01234567",
}

var charClassNames = []any{"lettersdigits", "letters", "lowercase", "uppercase", "digits", "hexdigits", "octdigits"}

// RandomStringType is OS::Heat::RandomString: a random string from
// character classes and sequences with minimum counts. Its reference
// (get_resource) is the string itself: see RefIDer.
func RandomStringType() ResourceType {
	minCount := func(desc string) PropertySchema {
		return PropertySchema{
			Constraints: []Constraint{{Range: &Range{Min: ptr(1), Max: ptr(512)}}},
			Default:     1, Description: desc, Type: "integer",
		}
	}
	return randomStringType{baseType{&TypeSchema{
		Attributes: map[string]AttributeSchema{
			"value": {Description: "The random string generated by this resource. This value is also available by referencing the resource.", Type: "string"},
		},
		ClassName: "RandomString",
		Description: "A resource which generates a random string.\n\n" +
			"This is useful for configuring passwords and secrets on services. Random\n" +
			"string can be generated from specified character sequences, which means\n" +
			"that all characters will be randomly chosen from specified sequences, or\n" +
			"with some classes, e.g. letterdigits, which means that all character will\n" +
			"be randomly chosen from union of ascii letters and digits. Output string\n" +
			"will be randomly generated string with specified length (or with length of\n" +
			"32, if length property doesn't specified).",
		Name: "OS::Heat::RandomString",
		Properties: map[string]PropertySchema{
			"character_classes": {
				Default:     []any{map[string]any{"class": "lettersdigits", "min": 1}},
				Description: "A list of character class and their constraints to generate the random string from.",
				Schema: map[string]PropertySchema{"*": {Type: "map", Schema: map[string]PropertySchema{
					"class": {
						Constraints: []Constraint{{AllowedValues: charClassNames}},
						Default:     "lettersdigits",
						Description: "A character class and its corresponding min constraint to generate the random string from.",
						Type:        "string",
					},
					"min": minCount("The minimum number of characters from this character class that will be in the generated string."),
				}}},
				Type: "list",
			},
			"character_sequences": {
				Description: "A list of character sequences and their constraints to generate the random string from.",
				Schema: map[string]PropertySchema{"*": {Type: "map", Schema: map[string]PropertySchema{
					"min": minCount("The minimum number of characters from this sequence that will be in the generated string."),
					"sequence": {
						Description: "A character sequence and its corresponding min constraint to generate the random string from.",
						Required:    true, Type: "string",
					},
				}}},
				Type: "list",
			},
			"length": {
				Constraints: []Constraint{{Range: &Range{Min: ptr(1), Max: ptr(512)}}},
				Default:     32, Description: "Length of the string to generate.", Type: "integer",
			},
			"salt": {
				Description: "Value which can be set or changed on stack update to trigger the resource for replacement with a new random string. The salt value itself is ignored by the random generator.",
				Type:        "string",
			},
			"sequence": {
				Constraints: []Constraint{{AllowedValues: charClassNames}},
				Description: "Sequence of characters to build the random string from.",
				Hidden:      true, Type: "string",
			},
		},
		ValidateFunc: validateRandomString,
		Version:      "2014.1",
	}}}
}

// validateRandomString applies Heat's translation of the deprecated
// "sequence" (added to character_classes with min 1) and checks that the
// minimums fit in the length. Kiln cannot tell a character_classes given
// equal to the default from none given, and treats both as none.
func validateRandomString(_ string, props map[string]any) (map[string]any, error) {
	if seq, ok := props["sequence"].(string); ok && seq != "" {
		var classes []any
		if l, ok := asList(props["character_classes"]); ok && !pyEqual(l, []any{map[string]any{"class": "lettersdigits", "min": 1}}) {
			classes = append(classes, l...)
		}
		props["character_classes"] = append(classes, map[string]any{"class": seq, "min": 1})
		props["sequence"] = nil
	}
	total := 0.0
	for _, key := range []string{"character_sequences", "character_classes"} {
		l, _ := asList(props[key])
		for _, item := range l {
			m, _ := asMap(item)
			n, ok := numberOf(m["min"])
			if !ok {
				return props, nil // deferred
			}
			total += n
		}
	}
	if length, ok := numberOf(props["length"]); ok && total > length {
		return nil, validationFailed("", nil, "Length property cannot be smaller than combined character class and character sequence minimums")
	}
	return props, nil
}

// RefID is the random value once created, else the resource name.
func (randomStringType) RefID(rc *RC) any {
	if rc.PhysicalID == "" {
		return rc.Name
	}
	return rc.Data["value"]
}

// RestoreData brings back the snapshot's value and physical id (Heat's
// RandomString has no handle_restore, so Heat makes a new value when a
// restore recreates it; Kiln restores the old one).
func (randomStringType) RestoreData(saved map[string]any) map[string]any {
	value, ok := saved["value"].(string)
	if !ok {
		return nil
	}
	out := map[string]any{"value": value}
	if id, ok := saved["physical_id"].(string); ok && id != "" {
		out["physical_id"] = id
	}
	return out
}

func (t randomStringType) Check(ctx context.Context, rc *RC) (*Outcome, error) {
	return t.Create(ctx, rc)
}

func (randomStringType) Create(_ context.Context, rc *RC) (*Outcome, error) {
	value, ok := rc.Data["value"].(string)
	if !ok {
		var err error
		if value, err = generateRandomString(rc.Properties); err != nil {
			return nil, err
		}
	}
	id := dataString(rc.Data, "physical_id")
	if id == "" {
		id = PhysicalResourceName(rc.Stack.Name, rc.Name)
	}
	return &Outcome{
		Attributes: map[string]any{"value": value},
		Data:       withData(rc.Data, "physical_id", id, "value", value),
		Done:       true,
		PhysicalID: id,
	}, nil
}

// generateRandomString is Heat's password_gen.generate_password: the
// minimum count from each sequence and class, filled up to the length
// from all of them, shuffled.
func generateRandomString(props map[string]any) (string, error) {
	type charClass struct {
		chars []rune
		min   int
	}
	var classes []charClass
	add := func(chars string, min any) {
		seen := map[rune]bool{}
		var set []rune
		for _, r := range chars {
			if !seen[r] {
				seen[r] = true
				set = append(set, r)
			}
		}
		n, _ := numberOf(min)
		classes = append(classes, charClass{chars: set, min: int(n)})
	}
	seqs, _ := asList(props["character_sequences"])
	for _, s := range seqs {
		m, _ := asMap(s)
		add(pyStr(m["sequence"]), m["min"])
	}
	cls, _ := asList(props["character_classes"])
	for _, c := range cls {
		m, _ := asMap(c)
		add(charClasses[pyStr(m["class"])], m["min"])
	}
	length := 32
	if n, ok := numberOf(props["length"]); ok {
		length = int(n)
	}
	empty := resourceError("resource.create", "IndexError", "Cannot choose from an empty sequence")
	var out, all []rune
	inAll := map[rune]bool{}
	for _, c := range classes {
		for _, r := range c.chars {
			if !inAll[r] {
				inAll[r] = true
				all = append(all, r)
			}
		}
		for range c.min {
			if len(c.chars) == 0 {
				return "", empty
			}
			out = append(out, c.chars[randomIntn(len(c.chars))])
		}
	}
	for len(out) < length {
		if len(all) == 0 {
			return "", empty
		}
		out = append(out, all[randomIntn(len(all))])
	}
	for i := len(out) - 1; i > 0; i-- {
		j := randomIntn(i + 1)
		out[i], out[j] = out[j], out[i]
	}
	return string(out[:length]), nil
}

// # OS::Heat::TestResource

type testResourceType struct{ baseType }

// TestResourceType is OS::Heat::TestResource, the knob-laden type of
// Heat's functional tests. wait_secs and action_wait_secs make an action
// take that long (-1: forever) through Outcome.WaitUntil; fail makes
// create fail with "Test Resource failed <name>" once the wait is over.
// client_name and entity_name (polling another service), attr_wait_secs
// (a sleep when reading attributes) and constraint_prop_secs (a sleep
// during validation) are accepted and have no effect: Kiln never sleeps.
func TestResourceType() ResourceType {
	action := func(name string) PropertySchema {
		return PropertySchema{Description: "Seconds to wait after " + name + ". Defaults to the global wait_secs.", Type: "number", UpdateAllowed: true}
	}
	return testResourceType{baseType{&TypeSchema{
		Attributes: map[string]AttributeSchema{
			"output": {Description: "The string that was stored. This value is also available by referencing the resource."},
		},
		ClassName: "TestResource",
		Description: "A resource which stores the string value that was provided.\n\n" +
			"This resource is to be used only for testing.\n" +
			"It has control knobs such as 'update_replace', 'fail', 'wait_secs'.",
		Name: "OS::Heat::TestResource",
		Properties: map[string]PropertySchema{
			"action_wait_secs": {
				Description: "Options for simulating waiting.",
				Schema: map[string]PropertySchema{
					"create": action("a create"), "delete": action("a delete"), "update": action("an update"),
				},
				Type: "map", UpdateAllowed: true,
			},
			"attr_wait_secs": {Default: 0, Description: "Number value for timeout during resolving output value.", Type: "number", UpdateAllowed: true},
			"client_name":    {Default: "", Description: "Client to poll.", Type: "string", UpdateAllowed: true},
			"constraint_prop_secs": {
				Constraints: []Constraint{{CustomName: "test_constr"}},
				Default:     0, Description: "Number value for delay during resolve constraint.", Type: "number", UpdateAllowed: true,
			},
			"entity_name": {Default: "", Description: "Client entity to poll.", Type: "string", UpdateAllowed: true},
			"fail": {
				Default: false, Description: "Value which can be set to fail the resource operation to test failure scenarios.",
				Type: "boolean", UpdateAllowed: true,
			},
			"update_replace": {
				Default: false, Description: "Value which can be set to trigger update replace for the particular resource.",
				Type: "boolean", UpdateAllowed: true,
			},
			"update_replace_value": {Description: "Some value that can be stored but can not be updated.", Type: "string"},
			"value":                {Default: "test_string", Description: "The input string to be stored.", Type: "string", UpdateAllowed: true},
			"wait_secs":            {Default: 0, Description: "Seconds to wait after an action (-1 is infinite).", Type: "number", UpdateAllowed: true},
		},
		Version: "5.0.0",
	}}}
}

// testWaitSecs is action_wait_secs[action], else wait_secs.
func testWaitSecs(props map[string]any, action string) float64 {
	if m, ok := asMap(props["action_wait_secs"]); ok {
		if f, ok := numberOf(m[action]); ok && m[action] != nil {
			return f
		}
	}
	f, _ := numberOf(props["wait_secs"])
	return f
}

func (testResourceType) Create(_ context.Context, rc *RC) (*Outcome, error) {
	data := rc.Data
	if dataString(data, "action") != "create" {
		data = withData(data, "action", "create", "started_at", timeText(rc.Now), "wait_secs", testWaitSecs(rc.Properties, "create"))
	}
	if fail, _ := rc.Properties["fail"].(bool); !fail {
		id := dataString(data, "physical_id")
		if id == "" {
			id = PhysicalResourceName(rc.Stack.Name, rc.Name)
		}
		data = withData(data, "physical_id", id, "value", rc.Properties["value"])
	}
	return testResourceWait(rc, data)
}

func (t testResourceType) Check(ctx context.Context, rc *RC) (*Outcome, error) {
	if dataString(rc.Data, "action") == "" {
		return t.Create(ctx, rc)
	}
	return testResourceWait(rc, rc.Data)
}

// Update is Heat's TestResource.handle_update: a changed value with
// update_replace set asks for replacement; a changed (non-empty) value is
// stored unless fail is set and waits action_wait_secs.update (else
// wait_secs); any other change waits nothing. Either way the update fails
// at the end when fail is set.
func (testResourceType) Update(_ context.Context, rc *RC, prev map[string]any) (*Outcome, error) {
	value, _ := rc.Properties["value"].(string)
	changed := string(mustJSON(rc.Properties["value"])) != string(mustJSON(prev["value"]))
	if replace, _ := rc.Properties["update_replace"].(bool); changed && replace {
		return nil, UpdateReplace(fmt.Sprintf("TestResource %q [%s] Stack %q [%s]", rc.Name, rc.PhysicalID, rc.Stack.Name, rc.Stack.ID))
	}
	wait := 0.0
	data := rc.Data
	if changed && value != "" {
		if fail, _ := rc.Properties["fail"].(bool); !fail {
			data = withData(data, "value", value)
		}
		wait = testWaitSecs(rc.Properties, "update")
	}
	data = withData(data, "action", "update", "started_at", timeText(rc.Now), "wait_secs", wait)
	return testResourceWait(rc, data)
}

func (testResourceType) Delete(_ context.Context, rc *RC) (*Outcome, error) {
	data := rc.Data
	if dataString(data, "action") != "delete" {
		data = withData(data, "action", "delete", "started_at", timeText(rc.Now), "wait_secs", testWaitSecs(rc.Properties, "delete"))
	}
	return testResourceWait(rc, data)
}

// testResourceWait is Heat's _check_status_complete: done once the wait
// is over; a failing resource then fails, except when deleting.
func testResourceWait(rc *RC, data map[string]any) (*Outcome, error) {
	action := dataString(data, "action")
	out := &Outcome{
		Attributes: map[string]any{"output": data["value"]},
		Data:       data,
		PhysicalID: dataString(data, "physical_id"),
	}
	wait, _ := dataFloat(data, "wait_secs")
	started, ok := dataTime(data, "started_at")
	if !ok {
		started = rc.Now
	}
	if wait < 0 {
		return out, nil // forever: only the stack timeout ends it
	}
	if deadline := started.Add(seconds(wait)); rc.Now.Before(deadline) {
		out.WaitUntil = deadline
		return out, nil
	}
	if fail, _ := rc.Properties["fail"].(bool); fail && action != "delete" {
		return nil, resourceError("resource."+action, "ValueError", "Test Resource failed "+rc.Name)
	}
	out.Done = true
	return out, nil
}

// # OS::Heat::Delay

type delayType struct{ baseType }

// DelayType is OS::Heat::Delay: create and delete (as listed in
// "actions") take min_wait plus a random jitter of up to max_jitter ×
// jitter_multiplier seconds, through Outcome.WaitUntil. Heat's check that
// the longest delay fits in the stack timeout is the stack layer's.
func DelayType() ResourceType {
	atLeast0 := []Constraint{{Range: &Range{Min: ptr(0)}}}
	return delayType{baseType{&TypeSchema{
		Attributes: map[string]AttributeSchema{},
		ClassName:  "Delay",
		Description: "A resource that pauses for a configurable delay.\n\n" +
			"By manipulating the dependency relationships between resources in the\n" +
			"template, a delay can be inserted at an arbitrary point during e.g. stack\n" +
			"creation or deletion. They delay will occur after any resource that it\n" +
			"depends on during CREATE or SUSPEND, and before any resource that it\n" +
			"depends on during DELETE or RESUME. Similarly, it will occur before any\n" +
			"resource that depends on it during CREATE or SUSPEND, and after any\n" +
			"resource thet depends on it during DELETE or RESUME.\n\n" +
			"If a non-zero maximum jitter is specified, a random amount of jitter -\n" +
			"chosen with uniform probability in the range from 0 to the product of the\n" +
			"maximum jitter value and the jitter multiplier (1s by default) - is added\n" +
			"to the minimum delay time. This can be used, for example, in the scaled\n" +
			"unit of a large scaling group to prevent 'thundering herd' issues.",
		Name: "OS::Heat::Delay",
		Properties: map[string]PropertySchema{
			"actions": {
				Constraints: []Constraint{{AllowedValues: []any{"CREATE", "DELETE", "SUSPEND", "RESUME"}}},
				Default:     []any{"CREATE"}, Description: "Actions during which the delay will occur.", Type: "list", UpdateAllowed: true,
			},
			"jitter_multiplier": {
				Constraints: atLeast0, Default: 1.0,
				Description: "Number of seconds to multiply the maximum jitter value by.", Type: "number", UpdateAllowed: true,
			},
			"max_jitter": {
				Constraints: atLeast0, Default: 0,
				Description: "Maximum jitter to add to the minimum wait time.", Type: "number", UpdateAllowed: true,
			},
			"min_wait": {
				Constraints: atLeast0, Default: 0,
				Description: "Minimum time in seconds to wait during the specified actions.", Type: "number", UpdateAllowed: true,
			},
		},
		Version: "11.0.0",
	}}}
}

// delayStart decides the wait of one action, unless already decided.
func delayStart(rc *RC, action string) map[string]any {
	if dataString(rc.Data, "action") == action {
		return rc.Data
	}
	wait := 0.0
	actions, _ := asList(rc.Properties["actions"])
	if containsEq(actions, action) {
		minWait, _ := numberOf(rc.Properties["min_wait"])
		jitter, _ := numberOf(rc.Properties["max_jitter"])
		mult, _ := numberOf(rc.Properties["jitter_multiplier"])
		wait = minWait + jitter*mult*randomFloat()
	}
	return withData(rc.Data, "action", action, "started_at", timeText(rc.Now), "wait_secs", wait)
}

func delayWait(rc *RC, data map[string]any) (*Outcome, error) {
	out := &Outcome{Data: data, PhysicalID: rc.PhysicalID}
	wait, _ := dataFloat(data, "wait_secs")
	started, ok := dataTime(data, "started_at")
	if !ok {
		started = rc.Now
	}
	if deadline := started.Add(seconds(wait)); wait > 0 && rc.Now.Before(deadline) {
		out.WaitUntil = deadline
		return out, nil
	}
	out.Done = true
	return out, nil
}

func (delayType) Create(_ context.Context, rc *RC) (*Outcome, error) {
	return delayWait(rc, delayStart(rc, "CREATE"))
}

func (t delayType) Check(ctx context.Context, rc *RC) (*Outcome, error) {
	if dataString(rc.Data, "action") == "" {
		return t.Create(ctx, rc)
	}
	return delayWait(rc, rc.Data)
}

func (delayType) Delete(_ context.Context, rc *RC) (*Outcome, error) {
	return delayWait(rc, delayStart(rc, "DELETE"))
}
