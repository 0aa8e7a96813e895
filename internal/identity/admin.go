package identity

import (
	"context"
	"errors"
	"unicode"
	"unicode/utf8"

	"github.com/kilnhq/kiln/internal/engine"
	"github.com/kilnhq/kiln/internal/store"
)

// Admin helpers: what `kiln admin` and bootstrap use to manage projects,
// users and roles. They do not check policy; a caller acting for a client
// calls Authorize first.

const (
	maxProjectName = 64
	maxUserName    = 255
)

// impliedRoles lists the roles a role brings with it, as Keystone's implied
// roles do: granting admin also grants member and reader.
var impliedRoles = map[string][]string{
	RoleAdmin:  {RoleAdmin, RoleMember, RoleReader},
	RoleMember: {RoleMember, RoleReader},
	RoleReader: {RoleReader},
}

// CreateProjectRequest asks for a project. DomainID empty means "default";
// ID empty means a fresh id, else it must be 32 lowercase hex characters.
type CreateProjectRequest struct {
	Description string
	Disabled    bool
	DomainID    string
	ID          string
	Name        string
}

// CreateProject creates a project. A name already used in the domain, or an
// id already used, is KindConflict; an unknown domain is KindNotFound.
func (s *Service) CreateProject(ctx context.Context, req *CreateProjectRequest) (*Project, error) {
	const op = "project.create"
	return s.createProject(ctx, s.store, op, req)
}

func (s *Service) createProject(ctx context.Context, q store.Querier, op string, req *CreateProjectRequest) (*Project, error) {
	if err := validateName(op, "project name", req.Name, maxProjectName); err != nil {
		return nil, err
	}
	id := req.ID
	if id == "" {
		id = NewID()
	} else if !IsID(id) {
		return nil, engine.Invalid(op, "project id must be 32 lowercase hex characters")
	}
	domainID := req.DomainID
	if domainID == "" {
		domainID = DefaultDomainID
	}
	if _, err := s.domain(ctx, q, domainID); err != nil {
		return nil, notFoundOr(op, "domain", domainID, err)
	}
	row, err := q.ProjectCreate(ctx, &store.ProjectCreateParams{ID: id, Description: req.Description,
		DomainID: domainID, Enabled: !req.Disabled, Name: req.Name, Now: s.now()})
	if errors.Is(err, store.ErrAlreadyExists) {
		return nil, &engine.Error{Kind: engine.KindConflict, Op: op, Resource: "project", ID: id,
			Msg: "a project with this name or id already exists", Err: err}
	}
	if err != nil {
		return nil, storeErr(op, err)
	}
	return projectFromRow(row), nil
}

// GetProject returns a project by id; KindNotFound when there is none.
func (s *Service) GetProject(ctx context.Context, id string) (*Project, error) {
	row, err := s.store.ProjectGetByID(ctx, id)
	if err != nil {
		return nil, notFoundOr("project.get", "project", id, err)
	}
	return projectFromRow(row), nil
}

// ListProjects lists the projects of a domain, or of all domains when
// domainID is empty.
func (s *Service) ListProjects(ctx context.Context, domainID string) ([]*Project, error) {
	rows, err := s.store.ProjectList(ctx, &store.ProjectListParams{DomainID: domainID})
	if err != nil {
		return nil, storeErr("project.list", err)
	}
	out := make([]*Project, len(rows))
	for i, r := range rows {
		out[i] = projectFromRow(r)
	}
	return out, nil
}

// ListUserProjects lists the enabled projects on which the user holds a
// role: the projects a token of the user can be scoped to.
func (s *Service) ListUserProjects(ctx context.Context, userID string) ([]*Project, error) {
	rows, err := s.store.ProjectListByUser(ctx, userID)
	if err != nil {
		return nil, storeErr("project.list_by_user", err)
	}
	out := make([]*Project, 0, len(rows))
	for _, r := range rows {
		if r.Enabled {
			out = append(out, projectFromRow(r))
		}
	}
	return out, nil
}

// GetDomain returns a domain by id; KindNotFound when there is none.
func (s *Service) GetDomain(ctx context.Context, id string) (*Domain, error) {
	row, err := s.domain(ctx, s.store, id)
	if err != nil {
		return nil, notFoundOr("domain.get", "domain", id, err)
	}
	return domainFromRow(row), nil
}

// CreateUserRequest asks for a user. DomainID empty means "default". An
// empty Password leaves the user without one (it can use keys only). When
// ProjectID is set the user is granted Roles there (default: member).
type CreateUserRequest struct {
	Disabled  bool
	DomainID  string
	Name      string
	Password  string
	ProjectID string
	Roles     []string
}

// CreateUser creates a user and grants its roles in one transaction. A name
// already used in the domain is KindConflict.
func (s *Service) CreateUser(ctx context.Context, req *CreateUserRequest) (*User, error) {
	const op = "user.create"
	if err := validateName(op, "user name", req.Name, maxUserName); err != nil {
		return nil, err
	}
	roles := req.Roles
	if req.ProjectID != "" && len(roles) == 0 {
		roles = []string{RoleMember}
	}
	if req.ProjectID == "" && len(roles) > 0 {
		return nil, engine.Invalid(op, "roles need a project")
	}
	for _, r := range roles {
		if _, ok := impliedRoles[r]; !ok {
			return nil, engine.Invalid(op, "unknown role %q (want admin, member or reader)", r)
		}
	}
	hash := ""
	if req.Password != "" {
		var err error
		if hash, err = s.hashPassword(ctx, req.Password); err != nil {
			return nil, err
		}
	}
	domainID := req.DomainID
	if domainID == "" {
		domainID = DefaultDomainID
	}
	var user *User
	err := s.store.InTx(ctx, func(ctx context.Context, tx store.Tx) error {
		if _, err := s.domain(ctx, tx, domainID); err != nil {
			return notFoundOr(op, "domain", domainID, err)
		}
		if req.ProjectID != "" {
			if _, err := tx.ProjectGetByID(ctx, req.ProjectID); err != nil {
				return notFoundOr(op, "project", req.ProjectID, err)
			}
		}
		row, err := tx.UserCreate(ctx, &store.UserCreateParams{ID: NewID(), DomainID: domainID,
			Enabled: !req.Disabled, Name: req.Name, Now: s.now(), PasswordHash: hash})
		if errors.Is(err, store.ErrAlreadyExists) {
			return &engine.Error{Kind: engine.KindConflict, Op: op, Resource: "user",
				Msg: "a user with this name already exists in the domain", Err: err}
		}
		if err != nil {
			return storeErr(op, err)
		}
		for _, r := range roles {
			if err := s.grantRole(ctx, tx, op, row.ID, req.ProjectID, r); err != nil {
				return err
			}
		}
		user = userFromRow(row)
		return nil
	})
	if err != nil {
		return nil, storeErr(op, err)
	}
	return user, nil
}

// GetUser returns a user by id; KindNotFound when there is none.
func (s *Service) GetUser(ctx context.Context, id string) (*User, error) {
	row, err := s.store.UserGetByID(ctx, id)
	if err != nil {
		return nil, notFoundOr("user.get", "user", id, err)
	}
	return userFromRow(row), nil
}

// GetUserByName returns the user named name in a domain ("" = default).
func (s *Service) GetUserByName(ctx context.Context, domainID, name string) (*User, error) {
	if domainID == "" {
		domainID = DefaultDomainID
	}
	row, err := s.store.UserGetByName(ctx, &store.UserGetByNameParams{DomainID: domainID, Name: name})
	if err != nil {
		return nil, notFoundOr("user.get_by_name", "user", name, err)
	}
	return userFromRow(row), nil
}

// SetPassword replaces a user's password.
func (s *Service) SetPassword(ctx context.Context, userID, password string) error {
	const op = "user.set_password"
	if password == "" {
		return engine.Invalid(op, "password must not be empty")
	}
	if _, err := s.store.UserGetByID(ctx, userID); err != nil {
		return notFoundOr(op, "user", userID, err)
	}
	hash, err := s.hashPassword(ctx, password)
	if err != nil {
		return err
	}
	if err := s.store.UserUpdatePassword(ctx, &store.UserUpdatePasswordParams{ID: userID, PasswordHash: hash}); err != nil {
		return notFoundOr(op, "user", userID, err)
	}
	return nil
}

// GrantRoleRequest grants role Role of user UserID on project ProjectID.
type GrantRoleRequest struct {
	ProjectID string
	Role      string
	UserID    string
}

// GrantRole grants a role and the roles it implies (admin brings member and
// reader; member brings reader). Granting again is not an error.
func (s *Service) GrantRole(ctx context.Context, req *GrantRoleRequest) error {
	const op = "role.grant"
	if _, ok := impliedRoles[req.Role]; !ok {
		return engine.Invalid(op, "unknown role %q (want admin, member or reader)", req.Role)
	}
	err := s.store.InTx(ctx, func(ctx context.Context, tx store.Tx) error {
		if _, err := tx.UserGetByID(ctx, req.UserID); err != nil {
			return notFoundOr(op, "user", req.UserID, err)
		}
		if _, err := tx.ProjectGetByID(ctx, req.ProjectID); err != nil {
			return notFoundOr(op, "project", req.ProjectID, err)
		}
		return s.grantRole(ctx, tx, op, req.UserID, req.ProjectID, req.Role)
	})
	return storeErr(op, err)
}

func (s *Service) grantRole(ctx context.Context, q store.Querier, op, userID, projectID, role string) error {
	for _, name := range impliedRoles[role] {
		r, err := q.RoleGetByName(ctx, name)
		if err != nil {
			return notFoundOr(op, "role", name, err)
		}
		err = q.RoleAssignmentCreate(ctx, &store.RoleAssignmentCreateParams{ProjectID: projectID, RoleID: r.ID, UserID: userID})
		if err != nil {
			return storeErr(op, err)
		}
	}
	return nil
}

// Roles returns the three roles, admin, member and reader.
func (s *Service) Roles(ctx context.Context) ([]Role, error) {
	out := make([]Role, 0, 3)
	for _, name := range []string{RoleAdmin, RoleMember, RoleReader} {
		r, err := s.store.RoleGetByName(ctx, name)
		if err != nil {
			return nil, notFoundOr("role.list", "role", name, err)
		}
		out = append(out, Role{ID: r.ID, Name: r.Name})
	}
	return out, nil
}

// validateName accepts 1..maxLen characters of valid UTF-8 without control
// characters or surrounding spaces.
func validateName(op, what, name string, maxLen int) error {
	if name == "" || utf8.RuneCountInString(name) > maxLen {
		return engine.Invalid(op, "%s must have 1 to %d characters", what, maxLen)
	}
	if !utf8.ValidString(name) {
		return engine.Invalid(op, "%s must be valid UTF-8", what)
	}
	for _, r := range name {
		if unicode.IsControl(r) {
			return engine.Invalid(op, "%s must not contain control characters", what)
		}
	}
	if unicode.IsSpace(rune(name[0])) || unicode.IsSpace(rune(name[len(name)-1])) {
		return engine.Invalid(op, "%s must not start or end with a space", what)
	}
	return nil
}
