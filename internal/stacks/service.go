package stacks

import (
	"context"
	"encoding/json"
	"log/slog"

	"github.com/kilnhq/kiln/internal/engine"
)

// Config wires the stacks domain.
type Config struct {
	Engine *engine.Engine
	Logger *slog.Logger
	// MaxResourcesPerStack bounds a template's resources (Heat's
	// max_resources_per_stack). Default 1000.
	MaxResourcesPerStack int
	// MaxStacksPerProject bounds live stacks per project. Default 512.
	MaxStacksPerProject int
	// MaxEventsPerStack is Heat's max_events_per_stack: when a stack
	// settles with more events than this (its own and its resources'),
	// the oldest go, eventPurgeBatch at a time as in Heat. 0 means the
	// default, 1000; negative keeps every event.
	MaxEventsPerStack int
	// PublicURL is the base of the URLs written into attributes (a wait
	// condition handle's signal endpoint), no trailing slash.
	PublicURL string
	// Test holds settings for tests only.
	Test TestConfig
}

// TestConfig is Config for tests.
type TestConfig struct {
	// Types are registered beside the built-in ones (types with behaviour
	// no built-in has, e.g. an immutable property).
	Types []ResourceType
}

// Service is the stacks domain: Heat's engine, on Kiln's engine.
// Every method returns *engine.Error values whose Code is Heat's exception
// name (EntityNotFound, StackExists, StackValidationFailed, ...) and whose
// Msg is Heat's message text.
type Service struct {
	cfg    Config
	e      *engine.Engine
	logger *slog.Logger
	types  *Registry
}

// New builds the service and registers its operation handlers on the
// engine (before the engine starts).
func New(cfg *Config) *Service {
	c := *cfg
	if c.Engine == nil {
		panic("stacks: Config.Engine is required")
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.MaxResourcesPerStack <= 0 {
		c.MaxResourcesPerStack = 1000
	}
	if c.MaxStacksPerProject <= 0 {
		c.MaxStacksPerProject = 512
	}
	if c.MaxEventsPerStack == 0 {
		c.MaxEventsPerStack = 1000
	}
	s := &Service{cfg: c, e: c.Engine, logger: c.Logger}
	// Types that act through the service (stored configs, nested stacks)
	// are made with it.
	all := BuiltinTypes()
	all = append(all, s.configTypes()...)
	all = append(all, s.nestedTypes()...)
	all = append(all, c.Test.Types...)
	s.types = NewRegistry(all...)
	c.Engine.Register(OperationTypeCreate, &stackHandler{action: engine.ActionCreate, s: s})
	c.Engine.Register(OperationTypeUpdate, &stackHandler{action: engine.ActionUpdate, s: s})
	c.Engine.Register(OperationTypeRestore, &stackHandler{action: engine.ActionRestore, s: s})
	c.Engine.Register(OperationTypeRollback, &stackHandler{action: engine.ActionRollback, s: s})
	c.Engine.Register(OperationTypeDelete, &deleteHandler{s: s})
	c.Engine.Register(OperationTypeAction, &actionHandler{s: s})
	c.Engine.Register(OperationTypeScale, &scaleHandler{s: s})
	return s
}

var _ API = (*Service)(nil)

// API is the interface the Heat dialect codes against; *Service
// implements it.
type API interface {
	ActStack(ctx context.Context, ref StackRef, action string) error
	CreateStack(ctx context.Context, p *CreateParams) (*Stack, error)
	DeleteSnapshot(ctx context.Context, ref StackRef, id string) error
	DeleteStack(ctx context.Context, ref StackRef) error
	// ExportStack is Heat's export data of the stack (prepare_abandon).
	ExportStack(ctx context.Context, ref StackRef) (map[string]any, error)
	GetEvent(ctx context.Context, ref StackRef, resourceName, eventID string) (*Event, error)
	GetOutput(ctx context.Context, ref StackRef, key string) (*Output, error)
	GetResource(ctx context.Context, ref StackRef, name string, withAttr []string) (*Resource, error)
	GetSnapshot(ctx context.Context, ref StackRef, id string) (*Snapshot, error)
	// GetStack loads a stack by id and checks its name; deleted stacks are
	// returned (DELETE_COMPLETE) as Heat does for the canonical URL.
	GetStack(ctx context.Context, ref StackRef, resolveOutputs bool) (*Stack, error)
	ListEvents(ctx context.Context, ref StackRef, p *EventListParams) ([]*Event, error)
	ListOutputs(ctx context.Context, ref StackRef) ([]Output, error)
	ListResources(ctx context.Context, ref StackRef, p *ResourceListParams) ([]*Resource, error)
	ListSnapshots(ctx context.Context, ref StackRef) ([]*Snapshot, error)
	ListStacks(ctx context.Context, p *ListParams) ([]*Stack, error)
	// LookupStack resolves a name or id of a live stack of the project
	// (for Heat's 302 redirects).
	LookupStack(ctx context.Context, projectID, nameOrID string) (StackRef, error)
	MarkUnhealthy(ctx context.Context, ref StackRef, nameOrPhysicalID string, unhealthy bool, reason string) error
	PreviewStack(ctx context.Context, p *CreateParams) (*Stack, []*Resource, error)
	// PreviewUpdate tells what UpdateStack with p would do to each
	// resource, writing nothing.
	PreviewUpdate(ctx context.Context, p *UpdateParams) (*UpdatePreview, error)
	ResourceMetadata(ctx context.Context, ref StackRef, name string) (map[string]any, error)
	ResourceTypeSchema(ctx context.Context, typeName string) (*ResourceTypeSchema, error)
	ResourceTypeTemplate(ctx context.Context, typeName, templateType string) (map[string]any, error)
	ResourceTypes(ctx context.Context, p *ResourceTypeListParams) ([]ResourceTypeInfo, error)
	// RestoreSnapshot starts restoring the stack to a complete snapshot.
	RestoreSnapshot(ctx context.Context, ref StackRef, id string) error
	// SignalResource stores a signal for the resource and returns once it
	// is durable; the waiting stack operation handles it asynchronously.
	// A body carrying an "id" (a wait condition signal's) counts once per
	// id, so a client's retry is harmless.
	SignalResource(ctx context.Context, ref StackRef, name string, data json.RawMessage) error
	// SnapshotStack stores a snapshot, IN_PROGRESS until the stack's
	// SNAPSHOT action completes it.
	SnapshotStack(ctx context.Context, ref StackRef, name *string) (*Snapshot, error)
	StackEnvironment(ctx context.Context, ref StackRef) (map[string]any, error)
	StackFiles(ctx context.Context, ref StackRef) (map[string]string, error)
	StackTemplate(ctx context.Context, ref StackRef) (json.RawMessage, error)
	TemplateFunctions(ctx context.Context, version string, withConditions bool) ([]TemplateFunction, error)
	TemplateVersions(ctx context.Context) ([]TemplateVersion, error)
	UpdateStack(ctx context.Context, p *UpdateParams) error
	Validate(ctx context.Context, p *ValidateParams) (*ValidateResult, error)

	// Software configs and deployments (Heat's /software_configs and
	// /software_deployments), scoped by project.
	CreateSoftwareConfig(ctx context.Context, c *SoftwareConfig) (*SoftwareConfig, error)
	CreateSoftwareDeployment(ctx context.Context, d *SoftwareDeployment) (*SoftwareDeployment, error)
	DeleteSoftwareConfig(ctx context.Context, projectID, id string) error
	DeleteSoftwareDeployment(ctx context.Context, projectID, id string) error
	GetSoftwareConfig(ctx context.Context, projectID, id string) (*SoftwareConfig, error)
	GetSoftwareDeployment(ctx context.Context, projectID, id string) (*SoftwareDeployment, error)
	ListSoftwareConfigs(ctx context.Context, projectID string, limit int, marker string) ([]*SoftwareConfig, error)
	ListSoftwareDeployments(ctx context.Context, projectID, serverID string) ([]*SoftwareDeployment, error)
	SoftwareDeploymentMetadata(ctx context.Context, projectID, serverID string) ([]map[string]any, error)
	UpdateSoftwareDeployment(ctx context.Context, projectID, id string, u *SoftwareDeploymentUpdate) (*SoftwareDeployment, error)
}
