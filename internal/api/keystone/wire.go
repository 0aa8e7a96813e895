package keystone

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/kilnhq/kiln/internal/identity"
)

// Wire types: field order follows a captured Keystone body, so that a diff
// against Keystone reads easily (clients do not depend on it).

// timeFormat is Keystone's token time format.
const timeFormat = "2006-01-02T15:04:05.000000Z"

type tokenResponse struct {
	Token tokenWire `json:"token"`
}

type tokenWire struct {
	Methods   []string        `json:"methods"`
	User      userWire        `json:"user"`
	AuditIDs  []string        `json:"audit_ids"`
	ExpiresAt string          `json:"expires_at"`
	IssuedAt  string          `json:"issued_at"`
	Project   *projectRefWire `json:"project,omitempty"`
	IsDomain  *bool           `json:"is_domain,omitempty"`
	Roles     []roleWire      `json:"roles,omitempty"`
	Catalog   []catalogEntry  `json:"catalog,omitempty"`
}

type userWire struct {
	Domain            domainWire `json:"domain"`
	ID                string     `json:"id"`
	Name              string     `json:"name"`
	PasswordExpiresAt *string    `json:"password_expires_at"`
}

type domainWire struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type projectRefWire struct {
	Domain domainWire `json:"domain"`
	ID     string     `json:"id"`
	Name   string     `json:"name"`
}

type roleWire struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type catalogEntry struct {
	Endpoints []endpointWire `json:"endpoints"`
	ID        string         `json:"id"`
	Type      string         `json:"type"`
	Name      string         `json:"name"`
}

type endpointWire struct {
	ID        string `json:"id"`
	Interface string `json:"interface"`
	RegionID  string `json:"region_id"`
	URL       string `json:"url"`
	Region    string `json:"region"`
}

type catalogResponse struct {
	Catalog []catalogEntry `json:"catalog"`
	Links   selfLink       `json:"links"`
}

type selfLink struct {
	Self string `json:"self"`
}

type projectsResponse struct {
	Projects []projectWire  `json:"projects"`
	Links    collectionLink `json:"links"`
}

type collectionLink struct {
	Self     string  `json:"self"`
	Previous *string `json:"previous"`
	Next     *string `json:"next"`
}

type projectWire struct {
	IsDomain    bool           `json:"is_domain"`
	Description string         `json:"description"`
	Links       selfLink       `json:"links"`
	Tags        []string       `json:"tags"`
	Enabled     bool           `json:"enabled"`
	ID          string         `json:"id"`
	ParentID    string         `json:"parent_id"`
	DomainID    string         `json:"domain_id"`
	Name        string         `json:"name"`
	Options     map[string]any `json:"options"`
}

type versionResponse struct {
	Version versionWire `json:"version"`
}

type versionWire struct {
	ID         string          `json:"id"`
	Status     string          `json:"status"`
	Updated    string          `json:"updated"`
	Links      []linkWire      `json:"links"`
	MediaTypes []mediaTypeWire `json:"media-types"`
}

type linkWire struct {
	Rel  string `json:"rel"`
	Href string `json:"href"`
}

type mediaTypeWire struct {
	Base string `json:"base"`
	Type string `json:"type"`
}

// tokenToWire renders a principal as Keystone's token body. An unscoped
// principal has no project, roles or catalog; catalog nil omits it
// (?nocatalog).
func tokenToWire(p *identity.Principal, catalog []catalogEntry) *tokenResponse {
	t := tokenWire{
		Methods: p.Methods,
		User: userWire{
			Domain: domainWire{ID: p.DomainID, Name: p.DomainName},
			ID:     p.UserID,
			Name:   p.UserName,
		},
		AuditIDs:  []string{p.AuditID},
		ExpiresAt: formatTime(p.ExpiresAt),
		IssuedAt:  formatTime(p.IssuedAt),
	}
	if p.Scoped() {
		isDomain := false
		t.Project = &projectRefWire{
			Domain: domainWire{ID: p.ProjectDomainID, Name: p.ProjectDomainName},
			ID:     p.ProjectID,
			Name:   p.ProjectName,
		}
		t.IsDomain = &isDomain
		t.Roles = make([]roleWire, len(p.Roles))
		for i, r := range p.Roles {
			t.Roles[i] = roleWire{ID: r.ID, Name: r.Name}
		}
		t.Catalog = catalog
	}
	return &tokenResponse{Token: t}
}

func projectToWire(p *identity.Project, publicURL string) projectWire {
	return projectWire{
		Description: p.Description,
		DomainID:    p.DomainID,
		Enabled:     p.Enabled,
		ID:          p.ID,
		Links:       selfLink{Self: publicURL + "/v3/projects/" + p.ID},
		Name:        p.Name,
		Options:     map[string]any{},
		ParentID:    p.DomainID,
		Tags:        []string{},
	}
}

func formatTime(t time.Time) string {
	return t.UTC().Format(timeFormat)
}

// writeJSON writes v as the JSON body with status; a HEAD request gets the
// headers only.
func writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		// Wire types always marshal; this is a programmer error.
		panic(err)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}
