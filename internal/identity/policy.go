package identity

import (
	"fmt"
	"slices"

	"github.com/kilnhq/kiln/internal/engine"
)

// Action names something a caller wants to do, "<noun>:<verb>". Dialects
// name the action of each request and call Authorize before acting.
type Action string

// Level is the least role an action needs.
type Level int

const (
	// LevelNone: a principal without roles (unscoped) has this level.
	LevelNone Level = iota
	// LevelRead: reader, member and admin.
	LevelRead
	// LevelWrite: member and admin.
	LevelWrite
	// LevelAdmin: admin only.
	LevelAdmin
)

// Rule is the policy of one action.
type Rule struct {
	// Level is the least role the principal must hold in its project.
	Level Level

	// CrossProject lets an admin perform the action on a project other than
	// the one its principal is scoped to. Only admin-level actions set it;
	// every other action is confined to the principal's own project.
	CrossProject bool
}

// Actions, grouped by the dialect that mostly uses them. Add an action by
// adding a constant and a line to policyRules; TestAuthorize lists them.
const (
	// Stacks (Heat).
	ActionEventGet         Action = "event:get"
	ActionEventList        Action = "event:list"
	ActionResourceGet      Action = "resource:get"
	ActionResourceList     Action = "resource:list"
	ActionResourceSignal   Action = "resource:signal"
	ActionResourceTypeList Action = "resource_type:list"
	ActionResourceUpdate   Action = "resource:update"
	ActionStackCreate      Action = "stack:create"
	ActionStackDelete      Action = "stack:delete"
	ActionStackGet         Action = "stack:get"
	ActionStackList        Action = "stack:list"
	ActionStackListGlobal  Action = "stack:list_global"
	ActionStackPreview     Action = "stack:preview"
	ActionStackUpdate      Action = "stack:update"
	ActionTemplateValidate Action = "template:validate"

	// Fleet (BMS).
	ActionJobGet       Action = "job:get"
	ActionServerAction Action = "server:action"
	ActionServerCreate Action = "server:create"
	ActionServerDelete Action = "server:delete"
	ActionServerGet    Action = "server:get"
	ActionServerList   Action = "server:list"

	// Deployments (ECE).
	ActionDeploymentAction Action = "deployment:action"
	ActionDeploymentCreate Action = "deployment:create"
	ActionDeploymentDelete Action = "deployment:delete"
	ActionDeploymentGet    Action = "deployment:get"
	ActionDeploymentList   Action = "deployment:list"
	ActionDeploymentUpdate Action = "deployment:update"

	// Automation (OOS).
	ActionExecutionCancel  Action = "execution:cancel"
	ActionExecutionDelete  Action = "execution:delete"
	ActionExecutionGet     Action = "execution:get"
	ActionExecutionList    Action = "execution:list"
	ActionExecutionStart   Action = "execution:start"
	ActionOOSTemplateGet   Action = "oos_template:get"
	ActionOOSTemplateList  Action = "oos_template:list"
	ActionOOSTemplateWrite Action = "oos_template:write"

	// Kiln's own API (operations and events of the engine).
	ActionOperationCancel Action = "operation:cancel"
	ActionOperationCreate Action = "operation:create"
	ActionOperationGet    Action = "operation:get"
	ActionOperationSignal Action = "operation:signal"

	// Identity.
	ActionCredentialCreate Action = "credential:create"
	ActionCredentialDelete Action = "credential:delete"
	ActionCredentialList   Action = "credential:list"
	ActionProjectCreate    Action = "project:create"
	ActionProjectList      Action = "project:list"
	ActionRoleGrant        Action = "role:grant"
	ActionTokenRevoke      Action = "token:revoke"
	ActionTokenValidate    Action = "token:validate"
	ActionUserCreate       Action = "user:create"
)

var (
	read        = Rule{Level: LevelRead}
	write       = Rule{Level: LevelWrite}
	adminGlobal = Rule{Level: LevelAdmin, CrossProject: true}
)

// policyRules is the whole policy. An action missing here is denied.
var policyRules = map[Action]Rule{
	ActionEventGet:         read,
	ActionEventList:        read,
	ActionResourceGet:      read,
	ActionResourceList:     read,
	ActionResourceSignal:   write,
	ActionResourceTypeList: read,
	ActionResourceUpdate:   write,
	ActionStackCreate:      write,
	ActionStackDelete:      write,
	ActionStackGet:         read,
	ActionStackList:        read,
	ActionStackListGlobal:  adminGlobal,
	ActionStackPreview:     write,
	ActionStackUpdate:      write,
	ActionTemplateValidate: read,

	ActionJobGet:       read,
	ActionServerAction: write,
	ActionServerCreate: write,
	ActionServerDelete: write,
	ActionServerGet:    read,
	ActionServerList:   read,

	ActionDeploymentAction: write,
	ActionDeploymentCreate: write,
	ActionDeploymentDelete: write,
	ActionDeploymentGet:    read,
	ActionDeploymentList:   read,
	ActionDeploymentUpdate: write,

	ActionExecutionCancel:  write,
	ActionExecutionDelete:  write,
	ActionExecutionGet:     read,
	ActionExecutionList:    read,
	ActionExecutionStart:   write,
	ActionOOSTemplateGet:   read,
	ActionOOSTemplateList:  read,
	ActionOOSTemplateWrite: write,

	ActionOperationCancel: write,
	ActionOperationCreate: write,
	ActionOperationGet:    read,
	ActionOperationSignal: write,

	ActionCredentialCreate: write,
	ActionCredentialDelete: write,
	ActionCredentialList:   read,
	ActionProjectCreate:    adminGlobal,
	ActionProjectList:      adminGlobal,
	ActionRoleGrant:        adminGlobal,
	ActionTokenRevoke:      adminGlobal,
	ActionTokenValidate:    adminGlobal,
	ActionUserCreate:       adminGlobal,
}

// roleLevels gives the level each role confers.
var roleLevels = map[string]Level{
	RoleReader: LevelRead,
	RoleMember: LevelWrite,
	RoleAdmin:  LevelAdmin,
}

// Actions lists every action the policy knows, sorted.
func Actions() []Action {
	actions := make([]Action, 0, len(policyRules))
	for a := range policyRules {
		actions = append(actions, a)
	}
	slices.Sort(actions)
	return actions
}

// RuleOf returns the rule of action, and false when the action is unknown.
func RuleOf(action Action) (Rule, bool) {
	r, ok := policyRules[action]
	return r, ok
}

// Level returns the highest level the principal's roles confer.
func (p *Principal) Level() Level {
	level := LevelNone
	for _, r := range p.Roles {
		level = max(level, roleLevels[r.Name])
	}
	return level
}

// Authorize decides whether p may perform action on the objects of project
// projectID; an empty projectID means the principal's own project. It
// returns nil, KindUnauthenticated for a nil principal, or KindForbidden:
// when the action is unknown, when p's roles are too weak, or when the
// project is not p's and the action is not an admin cross-project one.
func Authorize(p *Principal, action Action, projectID string) error {
	const op = "identity.authorize"
	if p == nil {
		return engine.Unauthenticated(op, "no credentials")
	}
	deny := func(reason string) error {
		return &engine.Error{Kind: engine.KindForbidden, Op: op, Resource: "action", ID: string(action),
			Msg: fmt.Sprintf("You are not authorized to perform the requested action: %s.", action),
			Err: fmt.Errorf("user %s in project %q on project %q: %s", p.UserID, p.ProjectID, projectID, reason)}
	}
	rule, ok := policyRules[action]
	if !ok {
		return deny("unknown action")
	}
	level := p.Level()
	if level < rule.Level || level == LevelNone {
		return deny("role too weak")
	}
	if projectID == "" || projectID == p.ProjectID {
		return nil
	}
	if rule.CrossProject && level >= LevelAdmin {
		return nil
	}
	return deny("other project")
}
