package stacks

import (
	"context"
	"crypto/sha256"
	"encoding/base32"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/kilnhq/kiln/internal/engine"
)

// # OS::Heat::AutoScalingGroup

// autoScalingGroupType is OS::Heat::AutoScalingGroup: a nested stack of
// copies of one resource, sized between min_size and max_size, resized by
// OS::Heat::ScalingPolicy signals (see scaleHandler) and by updates.
// Members have generated names; scaling down removes the oldest first.
type autoScalingGroupType struct{ s *Service }

func (t *autoScalingGroupType) Schema() *TypeSchema {
	nonNegative := []Constraint{{Range: &Range{Min: ptrFloat(0)}}}
	return &TypeSchema{
		Name: "OS::Heat::AutoScalingGroup", ClassName: "AutoScalingResourceGroup", Version: "2014.1",
		Description: "An autoscaling group that can scale arbitrary resources.\n\n" +
			"An autoscaling group allows the creation of a desired count of similar\n" +
			"resources, which are defined with the resource property in HOT format.\n" +
			"If there is a need to create many of the same resources (e.g. one\n" +
			"hundred sets of Server, WaitCondition and WaitConditionHandle or even\n" +
			"Neutron Nets), AutoScalingGroup is a convenient and easy way to do that.",
		Properties: map[string]PropertySchema{
			"resource": {Type: "map", Required: true, UpdateAllowed: true,
				Description: "Resource definition for the resources in the group, in HOT format. The value of this property is the definition of a resource just as if it had been declared in the template itself."},
			"max_size": {Type: "integer", Required: true, UpdateAllowed: true, Constraints: nonNegative,
				Description: "Maximum number of resources in the group."},
			"min_size": {Type: "integer", Required: true, UpdateAllowed: true, Constraints: nonNegative,
				Description: "Minimum number of resources in the group."},
			"desired_capacity": {Type: "integer", UpdateAllowed: true,
				Description: "Desired initial number of resources."},
			"cooldown": {Type: "integer", UpdateAllowed: true, Description: "Cooldown period, in seconds."},
			"rolling_updates": {Type: "map", UpdateAllowed: true,
				Default:     map[string]any{"min_in_service": float64(0), "max_batch_size": float64(1), "pause_time": float64(0)},
				Description: "Policy for rolling updates for this scaling group.",
				Schema: map[string]PropertySchema{
					"min_in_service": {Type: "integer", Default: float64(0), Constraints: nonNegative,
						Description: "The minimum number of resources in service while rolling updates are being executed."},
					"max_batch_size": {Type: "integer", Default: float64(1), Constraints: []Constraint{{Range: &Range{Min: ptrFloat(1)}}},
						Description: "The maximum number of resources to replace at once."},
					"pause_time": {Type: "number", Default: float64(0), Constraints: nonNegative,
						Description: "The number of seconds to wait between batches of updates."},
				}},
		},
		Attributes: map[string]AttributeSchema{
			"outputs":      {Type: "map", Description: "A map of resource names to the specified attribute of each individual resource that is part of the AutoScalingGroup. This map specifies output parameters that are available once the AutoScalingGroup has been instantiated."},
			"outputs_list": {Type: "list", Description: "A list of the specified attribute of each individual resource that is part of the AutoScalingGroup. This list of attributes is available as an output once the AutoScalingGroup has been instantiated."},
			"current_size": {Type: "integer", Description: "The current size of AutoscalingResourceGroup."},
			"refs":         {Type: "list", Description: "A list of resource IDs for the resources in the group."},
			"refs_map":     {Type: "map", Description: "A map of resource names to IDs for the resources in the group."},
		},
		ValidateFunc: func(resourceName string, props map[string]any) (map[string]any, error) {
			fail := func(msg string) error {
				return &engine.Error{Kind: engine.KindInvalid, Code: "StackValidationFailed", Op: "stack.validate",
					Msg: fmt.Sprintf("Failed to validate: : resources.%s: : %s", resourceName, msg)}
			}
			minSize, _ := numberOf(props["min_size"])
			maxSize, _ := numberOf(props["max_size"])
			if maxSize < minSize {
				return nil, fail("MinSize can not be greater than MaxSize")
			}
			if d, ok := numberOf(props["desired_capacity"]); ok && props["desired_capacity"] != nil && (d < minSize || d > maxSize) {
				return nil, fail("DesiredCapacity must be between MinSize and MaxSize")
			}
			return props, nil
		},
	}
}

// validateInPlan checks the member type through the stack's environment
// and files, as the nested stack will resolve it.
func (t *autoScalingGroupType) validateInPlan(pl *plan, resourceName string, props map[string]any) error {
	def, _ := props["resource"].(map[string]any)
	return t.s.checkMemberType(pl, resourceName, def)
}

// memberName is the name of a group's nth member: 12 lowercase base32
// characters, like Heat's short ids, but derived from the group's id so
// that a repeated create after a crash names the same members.
func memberName(groupID string, n int) string {
	h := sha256.Sum256([]byte(groupID + ":" + strconv.Itoa(n)))
	return strings.ToLower(base32.StdEncoding.EncodeToString(h[:]))[:12]
}

// asgSize is the size a create or update asks for: desired_capacity when
// given (and, on update, changed), else the current size (min_size at
// first), within [min_size, max_size].
func asgSize(rc *RC, prev map[string]any) int {
	minSize, _ := numberOf(rc.Properties["min_size"])
	maxSize, _ := numberOf(rc.Properties["max_size"])
	size := float64(len(dataStrings(rc.Data, "names")))
	if _, ok := rc.Data["names"]; !ok {
		size = minSize
	}
	if d, ok := numberOf(rc.Properties["desired_capacity"]); ok && rc.Properties["desired_capacity"] != nil {
		if prev == nil || fmt.Sprint(prev["desired_capacity"]) != fmt.Sprint(rc.Properties["desired_capacity"]) {
			size = d
		}
	}
	return int(math.Max(minSize, math.Min(maxSize, size)))
}

// asgResize makes the member list size long: the oldest go first when
// shrinking, new generated names are added when growing.
func asgResize(rc *RC, size int) (names []string, next int) {
	names = dataStrings(rc.Data, "names")
	next = len(names)
	if n, ok := numberOf(rc.Data["next"]); ok {
		next = int(n)
	}
	if len(names) > size {
		names = names[len(names)-size:]
	}
	for len(names) < size {
		names = append(names, memberName(rc.ID, next))
		next++
	}
	return names, next
}

func (t *autoScalingGroupType) spec(ctx context.Context, rc *RC, names []string) (*childSpec, error) {
	def, _ := rc.Properties["resource"].(map[string]any)
	resources := map[string]any{}
	for _, n := range names {
		resources[n] = def
	}
	spec := &childSpec{Template: mustJSON(map[string]any{"heat_template_version": "2015-04-30", "resources": resources})}
	return spec, nestedBase{s: t.s}.parentSpec(ctx, rc, spec)
}

// resize brings the nested stack to size members.
func (t *autoScalingGroupType) resize(ctx context.Context, rc *RC, size int) (*Outcome, error) {
	names, next := asgResize(rc, size)
	spec, err := t.spec(ctx, rc, names)
	if err != nil {
		return nil, err
	}
	out, err := t.s.ensureChild(ctx, rc, spec)
	if err != nil {
		return nil, err
	}
	out.Data = withData(out.Data, "names", toAnyList(names), "next", next)
	return t.settled(ctx, rc, out)
}

func (t *autoScalingGroupType) Create(ctx context.Context, rc *RC) (*Outcome, error) {
	return t.resize(ctx, rc, asgSize(rc, nil))
}

func (t *autoScalingGroupType) Update(ctx context.Context, rc *RC, prev map[string]any) (*Outcome, error) {
	return t.resize(ctx, rc, asgSize(rc, prev))
}

func (t *autoScalingGroupType) Check(ctx context.Context, rc *RC) (*Outcome, error) {
	if dataString(rc.Data, "action") == string(engine.ActionDelete) {
		out, err := t.s.checkChild(ctx, rc)
		if err != nil {
			return nil, err
		}
		return t.settled(ctx, rc, out)
	}
	// The size the last Create, Update or scaling asked for.
	return t.resize(ctx, rc, len(dataStrings(rc.Data, "names")))
}

func (t *autoScalingGroupType) Delete(ctx context.Context, rc *RC) (*Outcome, error) {
	return t.s.deleteChild(ctx, rc)
}

func (t *autoScalingGroupType) Signal(context.Context, *RC, json.RawMessage) (string, error) {
	return "", ErrNotSignallable
}

func (t *autoScalingGroupType) settled(ctx context.Context, rc *RC, out *Outcome) (*Outcome, error) {
	if !out.Done || dataString(out.Data, "action") == string(engine.ActionDelete) {
		return out, nil
	}
	names := dataStrings(out.Data, "names")
	refs, refsMap, attrs, err := t.s.members(ctx, rc.Stack.ProjectID, out.PhysicalID, names)
	if err != nil {
		return nil, err
	}
	out.Data = withData(out.Data, "refs_map", refsMap, "member_attributes", attrs)
	out.Attributes = map[string]any{"refs": refs, "refs_map": refsMap, "current_size": len(names)}
	return out, nil
}

// ResolveAttribute answers outputs ([grp, outputs, attr]: member name to
// the attribute) and outputs_list (the attribute over the members, oldest
// first).
func (t *autoScalingGroupType) ResolveAttribute(data, _ map[string]any, path []any) (any, bool) {
	if len(path) == 0 {
		return nil, false
	}
	name, _ := path[0].(string)
	if name != "outputs" && name != "outputs_list" {
		return nil, false
	}
	members, _ := data["member_attributes"].(map[string]any)
	value := func(n string) any {
		m, _ := members[n].(map[string]any)
		if len(path) < 2 {
			return nil
		}
		key, _ := path[1].(string)
		return navigate(m[key], path[2:])
	}
	names := dataStrings(data, "names")
	if name == "outputs" {
		out := map[string]any{}
		for _, n := range names {
			out[n] = value(n)
		}
		return out, true
	}
	out := make([]any, 0, len(names))
	for _, n := range names {
		out = append(out, value(n))
	}
	return out, true
}

// # OS::Heat::ScalingPolicy

// Adjustment types of a scaling policy.
const (
	adjustChange  = "change_in_capacity"
	adjustExact   = "exact_capacity"
	adjustPercent = "percent_change_in_capacity"
)

// scalingPolicyType is OS::Heat::ScalingPolicy: a signal to it resizes its
// AutoScalingGroup, outside any stack action (a scaling operation, see
// scaleHandler).
type scalingPolicyType struct{ s *Service }

func (t *scalingPolicyType) Schema() *TypeSchema {
	return &TypeSchema{
		Name: "OS::Heat::ScalingPolicy", ClassName: "AutoScalingPolicy", Version: "2014.1", Signallable: true,
		Description: "A resource to manage scaling of `OS::Heat::AutoScalingGroup`.\n\n" +
			"**Note** while it may incidentally support\n`AWS::AutoScaling::AutoScalingGroup` for now, please don't use it for that\npurpose and use `AWS::AutoScaling::ScalingPolicy` instead.\n\n" +
			"Resource to manage scaling for `OS::Heat::AutoScalingGroup`, i.e. define\nwhich metric should be scaled and scaling adjustment, set cooldown etc.",
		Properties: map[string]PropertySchema{
			"auto_scaling_group_id": {Type: "string", Required: true, Description: "AutoScaling group ID to apply policy to."},
			"adjustment_type": {Type: "string", Required: true, UpdateAllowed: true,
				Description: "Type of adjustment (absolute or percentage).",
				Constraints: []Constraint{{AllowedValues: []any{adjustChange, adjustExact, adjustPercent}}}},
			"scaling_adjustment": {Type: "number", Required: true, UpdateAllowed: true, Description: "Size of adjustment."},
			"cooldown":           {Type: "number", UpdateAllowed: true, Description: "Cooldown period, in seconds."},
			"min_adjustment_step": {Type: "integer", UpdateAllowed: true,
				Constraints: []Constraint{{Range: &Range{Min: ptrFloat(0)}}},
				Description: "Minimum number of resources that are added or removed when the AutoScaling group scales up or down. This can be used only when specifying percent_change_in_capacity for the adjustment_type property."},
		},
		Attributes: map[string]AttributeSchema{
			"alarm_url":  {Type: "string", Description: "A signed url to handle the alarm."},
			"signal_url": {Type: "string", Description: "A url to handle the alarm using native API."},
		},
	}
}

func (t *scalingPolicyType) Create(_ context.Context, rc *RC) (*Outcome, error) {
	url := dataString(rc.Data, "endpoint")
	return &Outcome{Attributes: map[string]any{"alarm_url": url, "signal_url": url}, Data: rc.Data, Done: true}, nil
}

func (t *scalingPolicyType) Update(ctx context.Context, rc *RC, _ map[string]any) (*Outcome, error) {
	return t.Create(ctx, rc)
}

func (t *scalingPolicyType) Check(ctx context.Context, rc *RC) (*Outcome, error) {
	return t.Create(ctx, rc)
}

func (t *scalingPolicyType) Delete(context.Context, *RC) (*Outcome, error) {
	return &Outcome{Done: true}, nil
}

// Signal accepts any body; the reason is Heat's description of it.
func (t *scalingPolicyType) Signal(_ context.Context, _ *RC, data json.RawMessage) (string, error) {
	return signalDetails(data), nil
}

// actsOnSignal marks a type whose signals run a scaling operation rather
// than wake the stack's action.
func (t *scalingPolicyType) actsOnSignal() {}

// signalDetails is Heat's text for a signal's details.
func signalDetails(data json.RawMessage) string {
	var v any
	if len(data) == 0 || json.Unmarshal(data, &v) != nil || v == nil {
		return "No signal details provided"
	}
	switch x := v.(type) {
	case string:
		return x
	case map[string]any:
		_, p := x["previous"]
		_, c := x["current"]
		_, r := x["reason"]
		if p && c && r {
			return fmt.Sprintf("alarm state changed from %v to %v (%v)", x["previous"], x["current"], x["reason"])
		}
		if s, ok := x["state"]; ok {
			return fmt.Sprintf("alarm state changed to %v", s)
		}
	}
	return "Unknown"
}

// alarmState is the state a signal reports: "alarm" unless it says
// otherwise in current or state (Heat's ScalingPolicy.handle_signal).
func alarmState(data json.RawMessage) string {
	var v map[string]any
	if json.Unmarshal(data, &v) != nil || v == nil {
		return "alarm"
	}
	for _, k := range []string{"current", "state"} {
		if s, ok := v[k]; ok {
			return strings.ToLower(fmt.Sprint(s))
		}
	}
	return "alarm"
}

// newCapacity is Heat's calculate_new_capacity.
func newCapacity(current int, adjustment float64, adjType string, minStep int, minSize, maxSize int) int {
	var n int
	switch adjType {
	case adjustExact:
		n = int(adjustment)
	case adjustPercent:
		delta := float64(current) * adjustment / 100
		var rounded int
		switch {
		case math.Abs(delta) < 1 && delta > 0:
			rounded = int(math.Ceil(delta))
		case math.Abs(delta) < 1:
			rounded = int(math.Floor(delta))
		case delta > 0:
			rounded = int(math.Floor(delta))
		default:
			rounded = int(math.Ceil(delta))
		}
		if minStep > 0 && minStep > abs(rounded) {
			if rounded > 0 {
				rounded = minStep
			} else {
				rounded = -minStep
			}
		}
		n = current + rounded
	default:
		n = current + int(adjustment)
	}
	return max(minSize, min(maxSize, n))
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
