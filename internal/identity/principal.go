package identity

import (
	"slices"
	"strings"
	"time"

	"github.com/kilnhq/kiln/internal/store"
)

// Authentication methods recorded on a Principal. Password and token are
// also Keystone's method names.
const (
	MethodAccessKey = "access_key"
	MethodAPIKey    = "api_key"
	MethodPassword  = "password"
	MethodToken     = "token"
)

// Principal is an authenticated caller: who it is, the project it acts in
// and the roles it holds there. Every authentication path returns one.
type Principal struct {
	// AuditID identifies the token (22 characters), empty for keys.
	AuditID string

	// CredentialID is the access key or API key used, empty otherwise.
	CredentialID string

	// DomainID and DomainName are the user's domain.
	DomainID   string
	DomainName string

	// ExpiresAt is when the credential stops working; zero when it does
	// not expire. IssuedAt is when the token was issued (zero for keys).
	ExpiresAt time.Time
	IssuedAt  time.Time

	// Methods are the ways the identity was proven, e.g. ["password"], or
	// ["token", "password"] for a token made from a password token.
	Methods []string

	// ProjectID, ProjectName and the project's domain; all empty for an
	// unscoped principal, which has no roles.
	ProjectDomainID   string
	ProjectDomainName string
	ProjectID         string
	ProjectName       string

	// Roles the user holds on the project, ordered by name.
	Roles []Role

	UserID   string
	UserName string
}

// HasRole reports whether the principal holds the role named name.
func (p *Principal) HasRole(name string) bool {
	for _, r := range p.Roles {
		if r.Name == name {
			return true
		}
	}
	return false
}

// RoleNames returns the names of the principal's roles.
func (p *Principal) RoleNames() []string {
	names := make([]string, len(p.Roles))
	for i, r := range p.Roles {
		names[i] = r.Name
	}
	return names
}

// Scoped reports whether the principal acts in a project.
func (p *Principal) Scoped() bool { return p.ProjectID != "" }

// Domain is a namespace for projects and users.
type Domain struct {
	ID        string
	CreatedAt time.Time
	Enabled   bool
	Name      string
}

// Project is a tenant: every engine object belongs to one.
type Project struct {
	ID          string
	CreatedAt   time.Time
	Description string
	DomainID    string
	Enabled     bool
	Name        string
}

// Role is a named set of permissions: admin, member or reader.
type Role struct {
	ID   string
	Name string
}

// User is a person or a machine that authenticates. The password hash never
// leaves the package.
type User struct {
	ID        string
	CreatedAt time.Time
	DomainID  string
	Enabled   bool
	Name      string
}

func domainFromRow(r *store.Domain) *Domain {
	return &Domain{ID: r.ID, CreatedAt: r.CreatedAt, Enabled: r.Enabled, Name: r.Name}
}

func projectFromRow(r *store.Project) *Project {
	return &Project{ID: r.ID, CreatedAt: r.CreatedAt, Description: r.Description,
		DomainID: r.DomainID, Enabled: r.Enabled, Name: r.Name}
}

func userFromRow(r *store.User) *User {
	return &User{ID: r.ID, CreatedAt: r.CreatedAt, DomainID: r.DomainID, Enabled: r.Enabled, Name: r.Name}
}

func rolesFromRows(rows []*store.Role) []Role {
	roles := make([]Role, len(rows))
	for i, r := range rows {
		roles[i] = Role{ID: r.ID, Name: r.Name}
	}
	slices.SortFunc(roles, func(a, b Role) int { return strings.Compare(a.Name, b.Name) })
	return roles
}
