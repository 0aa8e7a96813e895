package identity

import (
	"context"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kilnhq/kiln/internal/engine"
	"github.com/kilnhq/kiln/internal/store"
)

// Credential types as stored.
const (
	CredentialTypeAccessKey = "access_key"
	CredentialTypeAPIKey    = "api_key"
)

// APIKeyPrefix starts every API key Kiln generates.
const APIKeyPrefix = "kiln_key_"

const (
	accessKeyLen   = 20
	secretKeyLen   = 40
	maxAccessLen   = 128
	maxSecretLen   = 256
	maxAPIKeyLen   = 512
	maxDescription = 255

	upperAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	alnum      = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
)

// Credential is an access key pair or an API key of a user in a project.
type Credential struct {
	ID string
	// Access is the access key id (AK) of an access key pair, or the
	// lookup id derived from an API key.
	Access      string
	CreatedAt   time.Time
	Description string
	ExpiresAt   *time.Time
	ProjectID   string
	RevokedAt   *time.Time
	// Secret is the secret key (SK) of an access key pair. Only
	// CreateAccessKey and CredentialByAccessKey fill it.
	Secret string
	Type   string
	UserID string
}

// Active reports whether the credential works at now.
func (c *Credential) Active(now time.Time) bool {
	return c.RevokedAt == nil && (c.ExpiresAt == nil || now.Before(*c.ExpiresAt))
}

func credentialFromRow(r *store.Credential, withSecret bool) *Credential {
	c := &Credential{ID: r.ID, Access: r.Access, CreatedAt: r.CreatedAt, Description: r.Description,
		ExpiresAt: r.ExpiresAt, ProjectID: r.ProjectID, RevokedAt: r.RevokedAt, Type: r.Type, UserID: r.UserID}
	if withSecret {
		c.Secret = r.Secret
	}
	return c
}

// CreateAccessKeyRequest asks for an access key pair for a user acting in
// a project. Empty Access and Secret are generated: 20 uppercase letters
// and digits, and 40 letters and digits.
type CreateAccessKeyRequest struct {
	Access      string
	Description string
	ExpiresAt   *time.Time
	ProjectID   string
	Secret      string
	UserID      string
}

// CreateAccessKey stores an access key pair and returns it with its secret.
// The user must hold a role on the project; an access id already in use is
// KindConflict.
func (s *Service) CreateAccessKey(ctx context.Context, req *CreateAccessKeyRequest) (*Credential, error) {
	const op = "credential.create_access_key"
	if req.Access == "" {
		req.Access = randomString(upperAlnum, accessKeyLen)
	}
	if req.Secret == "" {
		req.Secret = randomString(alnum, secretKeyLen)
	}
	if err := validateKeyText(op, "access key", req.Access, maxAccessLen, signatureDelimiters); err != nil {
		return nil, err
	}
	if err := validateKeyText(op, "secret key", req.Secret, maxSecretLen, ""); err != nil {
		return nil, err
	}
	row, err := s.createCredential(ctx, s.store, op, &store.CredentialCreateParams{
		Access: req.Access, Description: req.Description, ExpiresAt: req.ExpiresAt,
		ProjectID: req.ProjectID, Secret: req.Secret, Type: CredentialTypeAccessKey, UserID: req.UserID,
	})
	if err != nil {
		return nil, err
	}
	return credentialFromRow(row, true), nil
}

// CreateAPIKeyRequest asks for an API key for a user acting in a project.
// An empty Key is generated ("kiln_key_" + 32 random bytes in base64url).
type CreateAPIKeyRequest struct {
	Description string
	ExpiresAt   *time.Time
	Key         string
	ProjectID   string
	UserID      string
}

// APIKey is a created API key. Key is shown once; only its hash is kept.
type APIKey struct {
	Credential *Credential
	Key        string
}

// CreateAPIKey stores the hash of an API key and returns the key.
func (s *Service) CreateAPIKey(ctx context.Context, req *CreateAPIKeyRequest) (*APIKey, error) {
	const op = "credential.create_api_key"
	key := req.Key
	if key == "" {
		key = APIKeyPrefix + base64.RawURLEncoding.EncodeToString(randomBytes(32))
	}
	if err := validateKeyText(op, "API key", key, maxAPIKeyLen, ""); err != nil {
		return nil, err
	}
	row, err := s.createCredential(ctx, s.store, op, &store.CredentialCreateParams{
		Access: apiKeyAccess(key), Description: req.Description, ExpiresAt: req.ExpiresAt,
		ProjectID: req.ProjectID, SecretHash: hashSecret(key), Type: CredentialTypeAPIKey, UserID: req.UserID,
	})
	if err != nil {
		return nil, err
	}
	return &APIKey{Credential: credentialFromRow(row, false), Key: key}, nil
}

// createCredential checks the owner and writes the row through q.
func (s *Service) createCredential(ctx context.Context, q store.Querier, op string, params *store.CredentialCreateParams) (*store.Credential, error) {
	if len(params.Description) > maxDescription {
		return nil, engine.Invalid(op, "description is longer than %d characters", maxDescription)
	}
	if _, err := q.UserGetByID(ctx, params.UserID); err != nil {
		return nil, notFoundOr(op, "user", params.UserID, err)
	}
	if _, err := q.ProjectGetByID(ctx, params.ProjectID); err != nil {
		return nil, notFoundOr(op, "project", params.ProjectID, err)
	}
	roles, err := q.RoleAssignmentList(ctx, &store.RoleAssignmentListParams{ProjectID: params.ProjectID, UserID: params.UserID})
	if err != nil {
		return nil, storeErr(op, err)
	}
	if len(roles) == 0 {
		return nil, engine.Invalid(op, "user %s has no role on project %s", params.UserID, params.ProjectID)
	}
	params.ID = NewID()
	params.Now = s.now()
	row, err := q.CredentialCreate(ctx, params)
	if errors.Is(err, store.ErrAlreadyExists) {
		return nil, &engine.Error{Kind: engine.KindConflict, Op: op, Resource: "credential",
			Msg: "a credential with this access key already exists", Err: err}
	}
	if err != nil {
		return nil, storeErr(op, err)
	}
	return row, nil
}

// CredentialByAccessKey returns the active access key pair with access id
// access, with its secret for a signature check, and the principal it
// authenticates once the signature matched. An unknown access id is
// KindNotFound; a revoked or expired key, or one whose user or project is
// disabled or whose user lost its roles, is KindUnauthenticated.
func (s *Service) CredentialByAccessKey(ctx context.Context, access string) (*Credential, *Principal, error) {
	const op = "credential.by_access_key"
	row, err := s.store.CredentialGetByAccess(ctx, access)
	if err == nil && row.Type != CredentialTypeAccessKey {
		err = store.ErrNotFound
	}
	if err != nil {
		return nil, nil, notFoundOr(op, "access_key", access, err)
	}
	c := credentialFromRow(row, true)
	if !c.Active(s.now()) {
		return nil, nil, authFailed(op, fmt.Errorf("access key %s is revoked or expired", c.ID))
	}
	p, err := s.credentialPrincipal(ctx, op, c, MethodAccessKey)
	if err != nil {
		return nil, nil, err
	}
	return c, p, nil
}

// AuthenticateAPIKey returns the principal of an API key. Any failure
// (unknown, revoked or expired key, disabled owner) is KindUnauthenticated.
func (s *Service) AuthenticateAPIKey(ctx context.Context, key string) (*Principal, error) {
	const op = "credential.authenticate_api_key"
	if key == "" || len(key) > maxAPIKeyLen {
		return nil, authFailed(op, errors.New("empty or oversized API key"))
	}
	row, err := s.store.CredentialGetByAccess(ctx, apiKeyAccess(key))
	if err != nil {
		return nil, lookupFailed(op, fmt.Errorf("api key: %w", err))
	}
	if row.Type != CredentialTypeAPIKey ||
		subtle.ConstantTimeCompare([]byte(row.SecretHash), []byte(hashSecret(key))) != 1 {
		return nil, authFailed(op, fmt.Errorf("credential %s: not this API key", row.ID))
	}
	c := credentialFromRow(row, false)
	if !c.Active(s.now()) {
		return nil, authFailed(op, fmt.Errorf("API key %s is revoked or expired", c.ID))
	}
	return s.credentialPrincipal(ctx, op, c, MethodAPIKey)
}

func (s *Service) credentialPrincipal(ctx context.Context, op string, c *Credential, method string) (*Principal, error) {
	p, err := s.principalByIDs(ctx, op, c.UserID, c.ProjectID)
	if err != nil {
		return nil, err
	}
	p.CredentialID = c.ID
	p.Methods = []string{method}
	if c.ExpiresAt != nil {
		p.ExpiresAt = c.ExpiresAt.UTC()
	}
	return p, nil
}

// ListCredentialsRequest filters a user's credentials. Type empty lists
// both types; revoked ones are listed only with IncludeRevoked.
type ListCredentialsRequest struct {
	IncludeRevoked bool
	Type           string
	UserID         string
}

// ListCredentials lists a user's credentials without secrets, oldest first.
func (s *Service) ListCredentials(ctx context.Context, req *ListCredentialsRequest) ([]*Credential, error) {
	const op = "credential.list"
	rows, err := s.store.CredentialListByUser(ctx, req.UserID)
	if err != nil {
		return nil, storeErr(op, err)
	}
	out := make([]*Credential, 0, len(rows))
	for _, r := range rows {
		if (req.Type != "" && r.Type != req.Type) || (r.RevokedAt != nil && !req.IncludeRevoked) {
			continue
		}
		out = append(out, credentialFromRow(r, false))
	}
	return out, nil
}

// RevokeCredentialRequest names a credential of a user.
type RevokeCredentialRequest struct {
	ID     string
	UserID string
}

// RevokeCredential revokes a user's credential. A credential of another
// user, an unknown one and an already revoked one are KindNotFound.
func (s *Service) RevokeCredential(ctx context.Context, req *RevokeCredentialRequest) error {
	const op = "credential.revoke"
	rows, err := s.store.CredentialListByUser(ctx, req.UserID)
	if err != nil {
		return storeErr(op, err)
	}
	for _, r := range rows {
		if r.ID == req.ID && r.RevokedAt == nil {
			if err := s.store.CredentialRevoke(ctx, &store.CredentialRevokeParams{ID: r.ID, Now: s.now()}); err != nil {
				return storeErr(op, err)
			}
			return nil
		}
	}
	return engine.NotFound(op, "credential", req.ID)
}

// apiKeyAccess derives the lookup id of an API key from its hash, so that
// any key string (generated or bootstrapped) can be found without storing
// it.
func apiKeyAccess(key string) string {
	return "apikey-" + hashSecret(key)[:32]
}

// signatureDelimiters may not appear in an access key pair: they delimit
// the fields of signature headers.
const signatureDelimiters = ",=\""

// validateKeyText accepts 1..maxLen printable ASCII characters without
// spaces and without any of the bytes in forbidden.
func validateKeyText(op, what, s string, maxLen int, forbidden string) error {
	if s == "" || len(s) > maxLen {
		return engine.Invalid(op, "%s must have 1 to %d characters", what, maxLen)
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c > '~' || strings.IndexByte(forbidden, c) >= 0 {
			return engine.Invalid(op, "%s must be printable ASCII without spaces or any of %q", what, forbidden)
		}
	}
	return nil
}

// randomString returns n characters drawn uniformly from alphabet.
func randomString(alphabet string, n int) string {
	out := make([]byte, 0, n)
	limit := 256 - 256%len(alphabet) // reject the biased tail
	for len(out) < n {
		for _, b := range randomBytes(n) {
			if int(b) < limit && len(out) < n {
				out = append(out, alphabet[int(b)%len(alphabet)])
			}
		}
	}
	return string(out)
}

// notFoundOr turns a missing row into KindNotFound naming resource and id,
// and any other store error into its kind.
func notFoundOr(op, resource, id string, err error) error {
	if errors.Is(err, store.ErrNotFound) {
		e := engine.NotFound(op, resource, id)
		e.Err = err
		return e
	}
	return storeErr(op, err)
}
