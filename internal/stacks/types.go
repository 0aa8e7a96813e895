package stacks

import "time"

// StackRef names a stack as Heat's canonical URL does: project, name and
// id. Calls that take a StackRef answer "not found" when the stored name is
// not Name, as Heat does.
type StackRef struct {
	ID        string
	Name      string
	ProjectID string
}

// Caller is who asks: the project the request acts in and the user.
type Caller struct {
	ProjectID string
	UserID    string
	UserName  string
}

// Stack is a stack as the Heat API shows it.
type Stack struct {
	ID                  string
	Action              string // CREATE, UPDATE, DELETE, ...
	CreatedAt           time.Time
	DeletedAt           *time.Time
	Description         string
	DisableRollback     bool
	Name                string
	Outputs             []Output // nil when not resolved
	Owner               string   // stack_owner: the user name that created it
	Parameters          map[string]string
	ParentID            string
	ProjectID           string
	Status              string // IN_PROGRESS, COMPLETE, FAILED
	StatusReason        string
	Tags                []string // nil: none
	TemplateDescription string
	TimeoutMins         int
	UpdatedAt           *time.Time
}

// Ref returns the stack's reference.
func (s *Stack) Ref() StackRef { return StackRef{ID: s.ID, Name: s.Name, ProjectID: s.ProjectID} }

// Output is one stack output. Error is set when the value did not resolve.
type Output struct {
	Description string
	Error       string
	Key         string
	Value       any
}

// CreateParams is Heat's InstantiationData for create and preview.
type CreateParams struct {
	Caller          Caller
	DisableRollback *bool // nil: Heat's default (true)
	// Environment is the environment document (YAML or JSON), nil for none;
	// EnvironmentFiles name entries of Files merged after it, in order.
	Environment      []byte
	EnvironmentFiles []string
	Files            map[string]string
	Name             string
	Parameters       map[string]any
	Tags             []string
	// Template is the template document (YAML or JSON text).
	Template    []byte
	TimeoutMins *int

	// nested is set when a resource makes the stack (never by the API).
	nested *nestedInfo
}

// UpdateParams is Heat's update body. Existing is PATCH: keep the stored
// template, parameters and environment unless given.
type UpdateParams struct {
	CreateParams
	ClearParameters []string
	Existing        bool
	Ref             StackRef
}

// ListParams filters, sorts and pages GET /stacks.
type ListParams struct {
	Actions []string
	// Columns filters on Heat's other stack columns, each a list of
	// accepted values: tenant (the project id), username (the owner's
	// user name), owner_id (the parent stack's id), disable_rollback,
	// timeout_mins, status_reason and stack_user_project_id.
	Columns      map[string][]string
	GlobalTenant bool
	IDs          []string
	Limit        int
	Marker       string // a stack id
	Names        []string
	NotTags      []string
	NotTagsAny   []string
	ProjectID    string
	ShowDeleted  bool
	ShowHidden   bool
	ShowNested   bool
	SortDir      string   // asc or desc; default desc
	SortKeys     []string // stack_name, stack_status, creation_time, updated_time
	Statuses     []string
	Tags         []string
	TagsAny      []string
}

// Resource is a stack's resource as the Heat API shows it.
type Resource struct {
	Action       string
	Attributes   map[string]any // show and with_detail only
	CreatedAt    time.Time
	Description  string
	Name         string // logical_resource_id and resource_name
	NestedStack  *StackRef
	ParentName   string // parent_resource, for resources of nested stacks
	PhysicalID   string
	Properties   map[string]any // preview only
	RequiredBy   []string
	Stack        StackRef // the stack the resource belongs to
	Status       string
	StatusReason string
	Type         string
	UpdatedAt    time.Time
}

// ResourceListParams is GET .../resources's query. Filters keys are type,
// status, name, action, id and physical_resource_id.
type ResourceListParams struct {
	Filters     map[string][]string
	NestedDepth int
	WithDetail  bool
}

// Event is one stack or resource event as the Heat API shows it. Stack
// events have ResourceName = stack name, PhysicalResourceID = stack id and
// ResourceType "OS::Heat::Stack".
type Event struct {
	ID                 string
	Action             string
	PhysicalResourceID *string
	Properties         map[string]any // nil for stack events
	ResourceName       string
	ResourceType       string
	RootStack          *StackRef // set when listed through nested_depth
	Stack              StackRef
	Status             string
	StatusReason       string
	Time               time.Time
}

// EventListParams is GET .../events's query. ResourceName (from the path)
// restricts to one resource; the filters are repeatable.
type EventListParams struct {
	Limit           int
	Marker          string // an event id
	NestedDepth     int
	ResourceActions []string
	ResourceName    string
	ResourceNames   []string
	ResourceStatus  []string
	ResourceTypes   []string
	SortDir         string   // asc or desc; default desc
	SortKeys        []string // event_time, resource_type
}

// ValidateParams is POST /validate's body and query.
type ValidateParams struct {
	Caller           Caller
	Environment      []byte
	EnvironmentFiles []string
	Files            map[string]string
	IgnoreErrors     []string
	Parameters       map[string]any
	ShowNested       bool
	Template         []byte
}

// ValidateResult is what POST /validate reports.
type ValidateResult struct {
	Description     string
	Environment     map[string]any
	NestedParams    map[string]any   // show_nested only
	ParameterGroups []map[string]any // nil: the template defines none
	Parameters      []ParameterInfo
}

// ParameterInfo describes one template parameter in Heat's validate form.
type ParameterInfo struct {
	AllowedPattern        string
	AllowedValues         []any
	ConstraintDescription string
	CustomConstraint      string
	Default               any // nil: none
	Description           string
	Label                 string
	MaxLength             *int
	MaxValue              *float64
	MinLength             *int
	MinValue              *float64
	Name                  string
	NoEcho                bool
	Tags                  []string
	Type                  string // String, Number, CommaDelimitedList, Json, Boolean
	Value                 any    // nil: none given
}

// ResourceTypeInfo is one entry of GET /resource_types.
type ResourceTypeInfo struct {
	Description string
	Name        string
}

// ResourceTypeListParams is GET /resource_types's query.
type ResourceTypeListParams struct {
	Name            string // a regular expression
	SupportStatus   string
	Version         string
	WithDescription bool
}

// ResourceTypeSchema is GET /resource_types/{type}: properties and
// attributes in Heat's schema form, as JSON-ready maps.
type ResourceTypeSchema struct {
	Attributes    map[string]any
	Description   string
	Name          string
	Properties    map[string]any
	SupportStatus map[string]any
}

// TemplateVersion is one entry of GET /template_versions.
type TemplateVersion struct {
	Aliases []string
	Type    string // hot or cfn
	Version string // e.g. heat_template_version.2013-05-23
}

// TemplateFunction is one entry of GET /template_versions/{v}/functions.
type TemplateFunction struct {
	Description string
	Name        string
}
