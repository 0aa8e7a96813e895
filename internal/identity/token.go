package identity

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kilnhq/kiln/internal/engine"
	"github.com/kilnhq/kiln/internal/store"
)

// TokenPrefix starts every token Kiln issues, so that a leaked token is
// recognisable (secret scanners, logs).
const TokenPrefix = "kiln_tok_"

// maxTokenLen bounds what is hashed and looked up; issued tokens are 52.
const maxTokenLen = 256

// IssueRequest asks for a token. Methods lists how the caller proves its
// identity: "password" (Password is required), "token" (Token is required:
// an existing valid token, for re-scoping) or both (they must name the
// same user). Scope nil asks for an unscoped token.
type IssueRequest struct {
	Methods  []string
	Password *PasswordCredentials
	Scope    *Scope
	Token    string
}

// Token is an issued token. ID is the secret value, shown once.
type Token struct {
	ID        string
	Principal *Principal
}

// IssueToken authenticates req and stores a new token. Its expiry is now +
// TokenTTL, or the presented token's expiry when the token method is used.
// Issue and expiry times are whole seconds, as Keystone's. Authentication
// failures are KindUnauthenticated, except that an invalid token presented
// with the token method is KindNotFound (as Keystone answers); a malformed
// request is KindInvalid.
// Nothing is written unless the token is returned.
func (s *Service) IssueToken(ctx context.Context, req *IssueRequest) (*Token, error) {
	const op = "token.issue"
	if req == nil || len(req.Methods) == 0 {
		return nil, engine.Invalid(op, "at least one authentication method is required")
	}
	for _, m := range req.Methods {
		switch m {
		case MethodPassword:
			if req.Password == nil {
				return nil, engine.Invalid(op, "the password method needs password credentials")
			}
		case MethodToken:
			if req.Token == "" {
				return nil, engine.Invalid(op, "the token method needs a token")
			}
		default:
			return nil, authFailed(op, fmt.Errorf("unsupported method %q", m))
		}
	}

	now := s.now().Truncate(time.Second)
	expiresAt := now.Add(s.tokenTTL)
	methods := uniqueStrings(req.Methods)
	var user *store.User

	if slices.Contains(req.Methods, MethodPassword) {
		u, err := s.passwordUser(ctx, op, req.Password)
		if err != nil {
			return nil, err
		}
		user = u
	}
	if slices.Contains(req.Methods, MethodToken) {
		parent, err := s.Authenticate(ctx, req.Token)
		if err != nil {
			return nil, invalidSubject(op, err)
		}
		if user != nil && user.ID != parent.UserID {
			return nil, authFailed(op, errors.New("password and token name different users"))
		}
		if user == nil {
			u, err := s.store.UserGetByID(ctx, parent.UserID)
			if err != nil {
				return nil, lookupFailed(op, err)
			}
			user = u
		}
		if parent.ExpiresAt.Before(expiresAt) {
			expiresAt = parent.ExpiresAt
		}
		methods = uniqueStrings(append(methods, parent.Methods...))
	}

	proj, err := s.scopeProject(ctx, op, req.Scope)
	if err != nil {
		return nil, err
	}
	p, err := s.principalFor(ctx, op, user, proj)
	if err != nil {
		return nil, err
	}

	id := TokenPrefix + base64.RawURLEncoding.EncodeToString(randomBytes(32))
	p.AuditID = newAuditID()
	p.ExpiresAt = expiresAt
	p.IssuedAt = now
	p.Methods = methods
	_, err = s.store.TokenCreate(ctx, &store.TokenCreateParams{
		Hash:      hashSecret(id),
		AuditID:   p.AuditID,
		ExpiresAt: expiresAt,
		IssuedAt:  now,
		Methods:   methods,
		ProjectID: p.ProjectID,
		UserID:    p.UserID,
	})
	if err != nil {
		return nil, storeErr(op, err)
	}
	return &Token{ID: id, Principal: p}, nil
}

// Authenticate validates a token presented as a credential (X-Auth-Token)
// and returns its principal. An unknown, expired or revoked token, and one
// whose user, project or role is gone or disabled, is KindUnauthenticated.
func (s *Service) Authenticate(ctx context.Context, token string) (*Principal, error) {
	if s.authCacheTTL < 0 {
		return s.authenticate(ctx, token)
	}
	now := s.now()
	hash := hashSecret(token)
	if v, ok := s.authCache.Load(hash); ok {
		if e := v.(*authCacheEntry); now.Before(e.until) {
			return e.p.clone(), nil
		}
		s.authCache.Delete(hash)
	}
	p, err := s.authenticate(ctx, token)
	if err != nil {
		return nil, err
	}
	until := now.Add(s.authCacheTTL)
	if p.ExpiresAt.Before(until) {
		until = p.ExpiresAt
	}
	if s.authCacheSize.Add(1) > maxAuthCache {
		s.pruneAuthCache(now)
	}
	s.authCache.Store(hash, &authCacheEntry{p: p.clone(), until: until})
	return p, nil
}

// maxAuthCache bounds the cache; past it, expired entries are dropped
// (and all of them if that is not enough).
const maxAuthCache = 10000

type authCacheEntry struct {
	p     *Principal
	until time.Time
}

func (s *Service) pruneAuthCache(now time.Time) {
	var n int64
	s.authCache.Range(func(k, v any) bool {
		if !now.Before(v.(*authCacheEntry).until) {
			s.authCache.Delete(k)
		} else {
			n++
		}
		return true
	})
	if n > maxAuthCache/2 {
		s.authCache.Clear()
		n = 0
	}
	s.authCacheSize.Store(n)
}

// clone copies a principal so that a cached one is never shared.
func (p *Principal) clone() *Principal {
	c := *p
	c.Methods = slices.Clone(p.Methods)
	c.Roles = slices.Clone(p.Roles)
	return &c
}

// authenticate is Authenticate without the cache.
func (s *Service) authenticate(ctx context.Context, token string) (*Principal, error) {
	const op = "token.authenticate"
	if !strings.HasPrefix(token, TokenPrefix) || len(token) > maxTokenLen {
		return nil, authFailed(op, errors.New("not a Kiln token"))
	}
	row, err := s.store.TokenGetByHash(ctx, hashSecret(token))
	if err != nil {
		return nil, lookupFailed(op, fmt.Errorf("token: %w", err))
	}
	if row.RevokedAt != nil {
		return nil, authFailed(op, fmt.Errorf("token %s revoked", row.AuditID))
	}
	if !s.now().Before(row.ExpiresAt) {
		return nil, authFailed(op, fmt.Errorf("token %s expired at %s", row.AuditID, row.ExpiresAt.Format(time.RFC3339)))
	}
	p, err := s.principalByIDs(ctx, op, row.UserID, row.ProjectID)
	if err != nil {
		return nil, err
	}
	p.AuditID = row.AuditID
	p.ExpiresAt = row.ExpiresAt.UTC()
	p.IssuedAt = row.IssuedAt.UTC()
	p.Methods = slices.Clone(row.Methods)
	return p, nil
}

// ValidateToken validates subject on behalf of caller (Keystone's GET
// /v3/auth/tokens). A caller may validate its own user's tokens; others
// need ActionTokenValidate. An invalid subject is KindNotFound.
func (s *Service) ValidateToken(ctx context.Context, caller *Principal, subject string) (*Principal, error) {
	return s.subjectToken(ctx, "token.validate", caller, subject, ActionTokenValidate)
}

// RevokeToken revokes subject on behalf of caller; the rules are those of
// ValidateToken with ActionTokenRevoke. Revoking needs a valid subject, so
// revoking twice is KindNotFound.
func (s *Service) RevokeToken(ctx context.Context, caller *Principal, subject string) error {
	const op = "token.revoke"
	if _, err := s.subjectToken(ctx, op, caller, subject, ActionTokenRevoke); err != nil {
		return err
	}
	err := s.store.TokenRevoke(ctx, &store.TokenRevokeParams{Hash: hashSecret(subject), Now: s.now()})
	if err != nil {
		return storeErr(op, err)
	}
	s.authCache.Delete(hashSecret(subject))
	return nil
}

func (s *Service) subjectToken(ctx context.Context, op string, caller *Principal, subject string, action Action) (*Principal, error) {
	if caller == nil {
		return nil, engine.Unauthenticated(op, msgAuthFailed)
	}
	p, err := s.authenticate(ctx, subject) // a validation is always fresh
	if err != nil {
		return nil, invalidSubject(op, err)
	}
	if caller.UserID != p.UserID {
		if err := Authorize(caller, action, p.ProjectID); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// invalidSubject turns the failure to authenticate a token that is the
// subject of a request (validated, revoked, re-scoped) into KindNotFound,
// as Keystone reports it; a store failure keeps its kind.
func invalidSubject(op string, err error) error {
	if engine.KindOf(err) != engine.KindUnauthenticated {
		return err
	}
	return &engine.Error{Kind: engine.KindNotFound, Op: op, Resource: "token",
		Msg: "Failed to validate token", Err: err}
}

// hashSecret returns the hex SHA-256 of a token or API key: what the store
// keeps. The secrets are 256-bit random values, so a fast hash suffices.
func hashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// uniqueStrings returns ss without repeats, first occurrence kept.
func uniqueStrings(ss []string) []string {
	out := make([]string, 0, len(ss))
	for _, s := range ss {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}
