package identity

import (
	"context"
	"errors"
	"fmt"

	"github.com/kilnhq/kiln/internal/engine"
	"github.com/kilnhq/kiln/internal/store"
)

// PasswordCredentials name a user and carry its password. The user is named
// by UserID, or by UserName within the domain DomainID or DomainName.
type PasswordCredentials struct {
	DomainID   string
	DomainName string
	Password   string
	UserID     string
	UserName   string
}

// Scope names the project a principal acts in: by ProjectID, or by
// ProjectName within the domain DomainID or DomainName.
type Scope struct {
	DomainID    string
	DomainName  string
	ProjectID   string
	ProjectName string
}

// msgAuthFailed is the client-safe message of every authentication failure:
// it never says which part of the credentials was wrong.
const msgAuthFailed = "authentication failed"

// authFailed builds the KindUnauthenticated error of a failed
// authentication; reason is logged, never shown.
func authFailed(op string, reason error) error {
	return &engine.Error{Kind: engine.KindUnauthenticated, Op: op, Msg: msgAuthFailed, Err: reason}
}

// lookupFailed turns a failed read during authentication into an error:
// a missing row is an authentication failure, anything else (store busy or
// down) keeps its kind so that callers can retry.
func lookupFailed(op string, err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return authFailed(op, err)
	}
	return storeErr(op, err)
}

// AuthenticatePassword checks a user's password and returns its principal,
// scoped to scope when it is not nil. Every failure (unknown user or domain,
// wrong password, disabled user, unknown or disabled project, no role on it)
// is the same KindUnauthenticated error and costs the same password hash.
func (s *Service) AuthenticatePassword(ctx context.Context, creds *PasswordCredentials, scope *Scope) (*Principal, error) {
	const op = "identity.authenticate_password"
	u, err := s.passwordUser(ctx, op, creds)
	if err != nil {
		return nil, err
	}
	proj, err := s.scopeProject(ctx, op, scope)
	if err != nil {
		return nil, err
	}
	p, err := s.principalFor(ctx, op, u, proj)
	if err != nil {
		return nil, err
	}
	p.Methods = []string{MethodPassword}
	return p, nil
}

// passwordUser finds the user creds name and checks its password. The hash
// is computed whether or not the user exists.
func (s *Service) passwordUser(ctx context.Context, op string, creds *PasswordCredentials) (*store.User, error) {
	if creds == nil {
		return nil, engine.Invalid(op, "password credentials are required")
	}
	var (
		u         *store.User
		lookupErr error
	)
	switch {
	case creds.UserID != "":
		u, lookupErr = s.store.UserGetByID(ctx, creds.UserID)
	case creds.UserName != "":
		if creds.DomainID == "" && creds.DomainName == "" {
			return nil, engine.Invalid(op, "a user named by name needs a domain id or name")
		}
		var d *store.Domain
		d, lookupErr = s.domainByIDOrName(ctx, creds.DomainID, creds.DomainName)
		if lookupErr == nil {
			u, lookupErr = s.store.UserGetByName(ctx, &store.UserGetByNameParams{DomainID: d.ID, Name: creds.UserName})
		}
	default:
		return nil, engine.Invalid(op, "a user id or name is required")
	}
	if lookupErr != nil && !errors.Is(lookupErr, store.ErrNotFound) {
		return nil, storeErr(op, lookupErr)
	}
	hash := ""
	if u != nil {
		hash = u.PasswordHash
	}
	ok, outdated, err := s.checkPassword(ctx, hash, creds.Password)
	if err != nil {
		return nil, err
	}
	if !ok {
		if lookupErr != nil {
			return nil, authFailed(op, fmt.Errorf("user %q/%q: %w", creds.UserID, creds.UserName, lookupErr))
		}
		return nil, authFailed(op, fmt.Errorf("user %s: wrong password", u.ID))
	}
	if outdated {
		s.rehash(ctx, u.ID, creds.Password)
	}
	return u, nil
}

// rehash stores a hash with the current parameters; a failure is only
// logged, the old hash keeps working.
func (s *Service) rehash(ctx context.Context, userID, password string) {
	hash, err := s.hashPassword(ctx, password)
	if err == nil {
		err = s.store.UserUpdatePassword(ctx, &store.UserUpdatePasswordParams{ID: userID, PasswordHash: hash})
	}
	if err != nil {
		s.logger.WarnContext(ctx, "password rehash failed", "user_id", userID, "error", err)
	}
}

// domainByIDOrName finds a domain by id when id is set, else by name.
func (s *Service) domainByIDOrName(ctx context.Context, id, name string) (*store.Domain, error) {
	if id != "" {
		return s.domain(ctx, s.store, id)
	}
	d, err := s.store.DomainGetByName(ctx, name)
	if err != nil {
		return nil, err
	}
	s.domains.Store(d.ID, d)
	return d, nil
}

// scopeProject resolves scope to a project row; nil scope gives nil. An
// unknown project or domain is an authentication failure, as in Keystone.
func (s *Service) scopeProject(ctx context.Context, op string, scope *Scope) (*store.Project, error) {
	if scope == nil {
		return nil, nil
	}
	switch {
	case scope.ProjectID != "":
		proj, err := s.store.ProjectGetByID(ctx, scope.ProjectID)
		if err != nil {
			return nil, lookupFailed(op, fmt.Errorf("project %s: %w", scope.ProjectID, err))
		}
		return proj, nil
	case scope.ProjectName != "":
		if scope.DomainID == "" && scope.DomainName == "" {
			return nil, engine.Invalid(op, "a project named by name needs a domain id or name")
		}
		d, err := s.domainByIDOrName(ctx, scope.DomainID, scope.DomainName)
		if err != nil {
			return nil, lookupFailed(op, fmt.Errorf("project domain %q/%q: %w", scope.DomainID, scope.DomainName, err))
		}
		proj, err := s.store.ProjectGetByName(ctx, &store.ProjectGetByNameParams{DomainID: d.ID, Name: scope.ProjectName})
		if err != nil {
			return nil, lookupFailed(op, fmt.Errorf("project %q in domain %s: %w", scope.ProjectName, d.ID, err))
		}
		return proj, nil
	default:
		return nil, engine.Invalid(op, "a project id or name is required")
	}
}

// principalFor builds the principal of user u acting in project proj (nil:
// unscoped). The user, the project and their domains must be enabled and
// the user must hold a role on the project.
func (s *Service) principalFor(ctx context.Context, op string, u *store.User, proj *store.Project) (*Principal, error) {
	if !u.Enabled {
		return nil, authFailed(op, fmt.Errorf("user %s is disabled", u.ID))
	}
	ud, err := s.domain(ctx, s.store, u.DomainID)
	if err != nil {
		return nil, lookupFailed(op, fmt.Errorf("domain %s of user %s: %w", u.DomainID, u.ID, err))
	}
	if !ud.Enabled {
		return nil, authFailed(op, fmt.Errorf("domain %s of user %s is disabled", ud.ID, u.ID))
	}
	p := &Principal{DomainID: ud.ID, DomainName: ud.Name, UserID: u.ID, UserName: u.Name}
	if proj == nil {
		return p, nil
	}
	if !proj.Enabled {
		return nil, authFailed(op, fmt.Errorf("project %s is disabled", proj.ID))
	}
	pd, err := s.domain(ctx, s.store, proj.DomainID)
	if err != nil {
		return nil, lookupFailed(op, fmt.Errorf("domain %s of project %s: %w", proj.DomainID, proj.ID, err))
	}
	if !pd.Enabled {
		return nil, authFailed(op, fmt.Errorf("domain %s of project %s is disabled", pd.ID, proj.ID))
	}
	roles, err := s.store.RoleAssignmentList(ctx, &store.RoleAssignmentListParams{ProjectID: proj.ID, UserID: u.ID})
	if err != nil {
		return nil, storeErr(op, err)
	}
	if len(roles) == 0 {
		return nil, authFailed(op, fmt.Errorf("user %s has no role on project %s", u.ID, proj.ID))
	}
	p.ProjectDomainID, p.ProjectDomainName = pd.ID, pd.Name
	p.ProjectID, p.ProjectName = proj.ID, proj.Name
	p.Roles = rolesFromRows(roles)
	return p, nil
}

// principalByIDs loads the user and project rows of a stored token or key
// and builds their principal.
func (s *Service) principalByIDs(ctx context.Context, op, userID, projectID string) (*Principal, error) {
	u, err := s.store.UserGetByID(ctx, userID)
	if err != nil {
		return nil, lookupFailed(op, fmt.Errorf("user %s: %w", userID, err))
	}
	var proj *store.Project
	if projectID != "" {
		proj, err = s.store.ProjectGetByID(ctx, projectID)
		if err != nil {
			return nil, lookupFailed(op, fmt.Errorf("project %s: %w", projectID, err))
		}
	}
	return s.principalFor(ctx, op, u, proj)
}
