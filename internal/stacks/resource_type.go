package stacks

import (
	"context"
	"encoding/json"
	"sort"
	"time"

	"github.com/kilnhq/kiln/internal/engine"
)

// ResourceType is one OS::Heat::* type: its schema and its behaviour. The
// stack operation calls it; a type never touches the store itself: what it
// returns is committed by the caller together with the resource's new
// state and event, which is what makes a crash resume cleanly.
//
// A type's Create, Check and Delete may be called again for the same
// resource after a crash (the previous call's outcome was not committed),
// so they must be safe to repeat: compute from RC, or find an existing
// external object through RC.PhysicalID and RC.Data.
type ResourceType interface {
	// Schema describes the type for validation and GET /resource_types.
	Schema() *TypeSchema

	// Create starts creating the resource. Outcome.Done false means the
	// resource stays CREATE_IN_PROGRESS: Check is called on later passes
	// (after Outcome.WaitUntil, or when a signal for it arrives).
	Create(ctx context.Context, rc *RC) (*Outcome, error)

	// Check is called on a resource that Create (or a previous Check) left
	// in progress.
	Check(ctx context.Context, rc *RC) (*Outcome, error)

	// Delete removes the resource; Done false means "call Check later".
	Delete(ctx context.Context, rc *RC) (*Outcome, error)

	// Signal validates a signal's body for this resource before it is
	// stored. It returns ErrNotSignallable when the type takes no signals
	// (Heat's 400), or an Invalid error for a bad body; reason is the text
	// of the SIGNAL event.
	Signal(ctx context.Context, rc *RC, data json.RawMessage) (reason string, err error)
}

// Updater is implemented by types that can change a resource in place.
// When every property that changed in a stack update is UpdateAllowed in
// the type's schema, the update calls Update (with the new properties in
// RC.Properties and the committed ones in prev) instead of replacing the
// resource. Done false means "call Check later", as for Create. Update may
// return UpdateReplace(...) to be replaced after all (Heat's
// UpdateReplace from handle_update). Types that do not implement it are
// always replaced, as Heat's default handle_update does. See planUpdate.
type Updater interface {
	Update(ctx context.Context, rc *RC, prev map[string]any) (*Outcome, error)
}

// RC is what a resource type sees of one resource.
type RC struct {
	// Data is the type's private state, as last committed.
	Data map[string]any
	// ID is the engine resource's id ("" in unit tests of pure types).
	ID string
	// Deadline is the stack action's deadline (zero: none).
	Deadline time.Time
	// DeletionPolicy is the resource's resolved deletion_policy ("" for
	// Delete); UpdatePolicy its update_policy. A nested stack's
	// resource_facade reads them, with Metadata.
	DeletionPolicy string
	UpdatePolicy   map[string]any
	// Metadata is the resource's metadata section, resolved.
	Metadata map[string]any
	Name     string
	Now      time.Time
	// PhysicalID is the resource's physical id, "" before creation.
	PhysicalID string
	// Properties are resolved and validated against the schema, defaults
	// filled in.
	Properties map[string]any
	// Signals are the signals stored for this resource, oldest first.
	Signals []SignalData
	Stack   StackRef
	// StackAccess gives what some types need of the stack (e.g. a wait
	// condition reads its handle's signals). Nil in unit tests of pure
	// types.
	StackAccess StackAccess
}

// SignalData is one stored signal.
type SignalData struct {
	Data json.RawMessage
	ID   string
	Time time.Time
}

// StackAccess is the part of a running stack action a type may read.
type StackAccess interface {
	// ResourceByPhysicalID finds a resource of the same stack by its
	// physical id or name, for types that point at others (a wait
	// condition's handle).
	Resource(ctx context.Context, nameOrPhysicalID string) (*RC, error)
}

// Outcome is what a type reports after Create, Check or Delete.
type Outcome struct {
	// Attributes are the resource's attribute values (replacing the old
	// ones when not nil).
	Attributes map[string]any
	// Commit, when set, writes what must commit together with the
	// resource's new state (a nested stack's rows and operation), in the
	// same transaction, after the state change (so the resource's event
	// comes first, as in Heat).
	Commit func(ctx context.Context, tx *engine.Tx) error
	// Data replaces the type's private state when not nil.
	Data map[string]any
	Done bool
	// PhysicalID is set once known.
	PhysicalID string
	// Reason is the status reason to write ("state changed" by default).
	Reason string
	// WaitUntil asks for Check again at this time at the latest (zero:
	// only on a signal or the stack deadline).
	WaitUntil time.Time
}

// TypeSchema is a type's schema in Heat's terms.
type TypeSchema struct {
	// AnyAttributes: every attribute name is valid and reads null
	// (OS::Heat::None).
	AnyAttributes bool
	// AnyProperties: any properties are accepted, unvalidated and passed
	// through unchanged (OS::Heat::None).
	AnyProperties bool
	Attributes    map[string]AttributeSchema
	// ClassName is Heat's class name for the type, which names the
	// resource in GET /resource_types/{type}/template; "" means the last
	// part of Name.
	ClassName   string
	Description string
	Name        string
	Properties  map[string]PropertySchema
	// Signallable types accept resource signals.
	Signallable bool
	// SupportStatus is SUPPORTED unless set.
	SupportStatus string
	// ValidateFunc, when set, runs after the schema checks of
	// ValidateProperties on the checked properties (defaults filled) and
	// returns them, possibly changed: Heat's per-type validate() and
	// translation rules. It returns errors as ValidateProperties does.
	ValidateFunc func(resourceName string, props map[string]any) (map[string]any, error)
	// Version is the Heat release that added the type, e.g. "2014.1".
	Version string
}

// AttributeSchema describes one attribute.
type AttributeSchema struct {
	Description string
	Type        string // string, map, list, integer, number, boolean
}

// PropertySchema describes one property, as Heat's properties.Schema.
type PropertySchema struct {
	Constraints []Constraint
	Default     any // nil: none
	Description string
	// Hidden properties (Heat's HIDDEN support status) are accepted but
	// left out of the schema and template answers.
	Hidden    bool
	Immutable bool
	// Schema describes list items (key "*") or map keys for list and map
	// properties; nil when free-form.
	Schema        map[string]PropertySchema
	Required      bool
	Type          string // string, integer, number, boolean, map, list, json
	UpdateAllowed bool
}

// Constraint is one property constraint, as Heat's constraints.
type Constraint struct {
	AllowedPattern string
	AllowedValues  []any
	CustomName     string
	Description    string
	Length         *Range
	Modulo         *Modulo
	Range          *Range
}

// Range bounds a length or a value; nil ends are open.
type Range struct {
	Max *float64
	Min *float64
}

// Modulo is Heat's modulo constraint.
type Modulo struct {
	Offset float64
	Step   float64
}

// Registry maps type names to types.
type Registry struct {
	types map[string]ResourceType
}

// NewRegistry holds the given types.
func NewRegistry(types ...ResourceType) *Registry {
	r := &Registry{types: map[string]ResourceType{}}
	for _, t := range types {
		r.types[t.Schema().Name] = t
	}
	return r
}

// Get returns the type or false.
func (r *Registry) Get(name string) (ResourceType, bool) {
	t, ok := r.types[name]
	return t, ok
}

// Names lists the type names, sorted.
func (r *Registry) Names() []string {
	names := make([]string, 0, len(r.types))
	for n := range r.types {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// ErrNotSignallable is Heat's answer to a signal for a type that takes
// none.
var ErrNotSignallable = &engine.Error{
	Kind: engine.KindInvalid, Code: "ResourceActionNotSupported", Op: "resource.signal",
	Msg: "signal is not supported for resource.",
}
