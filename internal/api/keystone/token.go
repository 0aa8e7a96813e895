package keystone

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"slices"
	"strings"

	"github.com/kilnhq/kiln/internal/engine"
	"github.com/kilnhq/kiln/internal/identity"
)

// maxBodyBytes bounds a token request body (Keystone: 114688).
const maxBodyBytes = 114688

// issueToken answers POST /v3/auth/tokens: 201, the token in
// X-Subject-Token and the token body (without catalog under ?nocatalog).
func (h *Handler) issueToken(w http.ResponseWriter, r *http.Request) {
	req, err := decodeIssueRequest(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	tok, err := h.identity.IssueToken(r.Context(), req)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	w.Header().Set("X-Subject-Token", tok.ID)
	writeJSON(w, r, http.StatusCreated, tokenToWire(tok.Principal, h.catalogFor(r, tok.Principal.ProjectID)))
}

// validateToken answers GET and HEAD /v3/auth/tokens: X-Auth-Token
// authenticates the caller, X-Subject-Token is the token validated.
func (h *Handler) validateToken(w http.ResponseWriter, r *http.Request) {
	caller, err := h.caller(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	subject, err := subjectToken(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	p, err := h.identity.ValidateToken(r.Context(), caller, subject)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	w.Header().Set("X-Subject-Token", subject)
	writeJSON(w, r, http.StatusOK, tokenToWire(p, h.catalogFor(r, p.ProjectID)))
}

// revokeToken answers DELETE /v3/auth/tokens: 204 once X-Subject-Token is
// revoked.
func (h *Handler) revokeToken(w http.ResponseWriter, r *http.Request) {
	caller, err := h.caller(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	subject, err := subjectToken(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if err := h.identity.RevokeToken(r.Context(), caller, subject); err != nil {
		h.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// caller authenticates the request's X-Auth-Token.
func (h *Handler) caller(r *http.Request) (*identity.Principal, error) {
	token := r.Header.Get("X-Auth-Token")
	if token == "" {
		return nil, engine.Unauthenticated("keystone.auth", "no X-Auth-Token")
	}
	return h.identity.Authenticate(r.Context(), token)
}

func subjectToken(r *http.Request) (string, error) {
	subject := r.Header.Get("X-Subject-Token")
	if subject == "" {
		return "", &engine.Error{Kind: engine.KindNotFound, Op: "keystone.token", Resource: "token",
			Msg: "No token in the request"}
	}
	return subject, nil
}

// catalogFor returns the catalog of a project-scoped token unless the
// request says ?nocatalog.
func (h *Handler) catalogFor(r *http.Request, projectID string) []catalogEntry {
	if projectID == "" || r.URL.Query().Has("nocatalog") {
		return nil
	}
	return h.catalog(projectID)
}

// decodeIssueRequest reads a token request as Keystone does: JSON body
// checks, the schema, the id-or-name checks, then the method and scope
// rules of keystone.auth.core.AuthInfo.
func decodeIssueRequest(r *http.Request) (*identity.IssueRequest, error) {
	const op = "keystone.auth"
	invalidJSON := expecting("valid JSON", "request body")
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxBodyBytes))
	if err != nil {
		return nil, invalidJSON
	}
	var doc map[string]any
	if len(body) > 0 {
		if ct := r.Header.Get("Content-Type"); ct != "" && !isJSONMediaType(ct) {
			return nil, expecting("application/json", "Content-Type header")
		}
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			return nil, invalidJSON
		}
		if _, err := dec.Token(); !errors.Is(err, io.EOF) {
			return nil, invalidJSON
		}
		var ok bool
		if doc, ok = v.(map[string]any); !ok {
			return nil, invalidJSON
		}
	}
	authValue := doc["auth"]
	if authValue == nil {
		return nil, expecting("auth", "request body")
	}
	if msg := validateSchema(authValue, tokenIssueSchema, nil); msg != "" {
		return nil, engine.Invalid(op, "%s", msg)
	}
	auth := authValue.(map[string]any) // the schema made sure
	if msg := checkIDOrName(auth); msg != "" {
		return nil, engine.Invalid(op, "%s", msg)
	}

	ident := object(auth, "identity")
	req := &identity.IssueRequest{}
	for _, m := range ident["methods"].([]any) {
		if name := m.(string); !slices.Contains(req.Methods, name) {
			req.Methods = append(req.Methods, name)
		}
	}
	for _, m := range req.Methods {
		if _, ok := ident[m]; !ok {
			return nil, expecting(m, "identity")
		}
	}
	for _, m := range req.Methods {
		if m != identity.MethodPassword && m != identity.MethodToken {
			return nil, engine.Unauthenticated(op, "unsupported authentication method "+m)
		}
	}
	scope, err := decodeScope(auth)
	if err != nil {
		return nil, err
	}
	req.Scope = scope
	if len(req.Methods) == 0 {
		return nil, engine.Unauthenticated(op, "no authentication method")
	}
	if slices.Contains(req.Methods, identity.MethodPassword) {
		user := object(object(ident, identity.MethodPassword), "user")
		if user == nil {
			return nil, expecting("user", identity.MethodPassword)
		}
		creds := &identity.PasswordCredentials{UserID: str(user, "id"), UserName: str(user, "name"),
			Password: str(user, "password")}
		if creds.UserID == "" && creds.UserName == "" {
			return nil, expecting("id or name", "user")
		}
		if creds.UserID == "" {
			if _, ok := user["domain"]; !ok {
				return nil, expecting("domain", "user")
			}
			d := object(user, "domain")
			creds.DomainID, creds.DomainName = str(d, "id"), str(d, "name")
			if creds.DomainID == "" && creds.DomainName == "" {
				return nil, expecting("id or name", "domain")
			}
		}
		req.Password = creds
	}
	if slices.Contains(req.Methods, identity.MethodToken) {
		req.Token = str(object(ident, identity.MethodToken), "id")
		if req.Token == "" {
			return nil, &engine.Error{Kind: engine.KindNotFound, Op: op, Resource: "token", Msg: "No token in the request"}
		}
	}
	return req, nil
}

// decodeScope reads auth.scope: absent or "unscoped" gives nil; a project
// gives its Scope; domain, system and trust scopes are not offered, which
// Keystone answers like a scope without a role: 401.
func decodeScope(auth map[string]any) (*identity.Scope, error) {
	const op = "keystone.auth"
	v, ok := auth["scope"]
	if !ok {
		return nil, nil
	}
	// Keystone tests `key in scope`, which for a string scope is a
	// substring test: "unscoped" is the one useful string.
	has := func(key string) bool {
		switch s := v.(type) {
		case string:
			return strings.Contains(s, key)
		case map[string]any:
			_, ok := s[key]
			return ok
		}
		return false
	}
	n := 0
	for _, key := range []string{"project", "domain", "unscoped", "system", "OS-TRUST:trust"} {
		if has(key) {
			n++
		}
	}
	if n != 1 {
		return nil, expecting("system, project, domain, OS-TRUST:trust or unscoped", "scope")
	}
	switch {
	case has("unscoped"):
		return nil, nil
	case has("project"):
		project := object(v.(map[string]any), "project")
		scope := &identity.Scope{ProjectID: str(project, "id"), ProjectName: str(project, "name")}
		if scope.ProjectName != "" {
			if _, ok := project["domain"]; !ok {
				return nil, expecting("domain", "project")
			}
			d := object(project, "domain")
			scope.DomainID, scope.DomainName = str(d, "id"), str(d, "name")
			if scope.DomainID == "" && scope.DomainName == "" {
				return nil, expecting("id or name", "domain")
			}
			scope.ProjectID = ""
		} else if scope.ProjectID == "" {
			return nil, engine.Unauthenticated(op, "empty project scope")
		}
		return scope, nil
	default:
		return nil, engine.Unauthenticated(op, "only project scopes are offered")
	}
}

// isJSONMediaType is Flask's request.is_json: application/json or
// application/*+json.
func isJSONMediaType(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	return mt == "application/json" || (strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json"))
}
