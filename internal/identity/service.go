package identity

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kilnhq/kiln/internal/engine"
	"github.com/kilnhq/kiln/internal/store"
)

// DefaultTokenTTL is the lifetime of a token issued by password, Keystone's
// default.
const DefaultTokenTTL = time.Hour

// DefaultDomainID and DefaultDomainName name the domain Bootstrap creates.
const (
	DefaultDomainID   = "default"
	DefaultDomainName = "Default"
)

// Role names. Their order of power is reader < member < admin.
const (
	RoleAdmin  = "admin"
	RoleMember = "member"
	RoleReader = "reader"
)

// Config configures a Service.
type Config struct {
	// Logger receives warnings about suspicious requests. Nil discards.
	Logger *slog.Logger

	// NowFunc is the clock. Nil means time.Now.
	NowFunc func() time.Time

	// Store holds every identity row. Required.
	Store store.Store

	// TokenTTL is the lifetime of tokens issued by password. Zero means
	// DefaultTokenTTL (1 hour).
	TokenTTL time.Duration

	// AuthCacheTTL is how long Authenticate may reuse a token it validated
	// (saving the token, user, project and role reads on every request).
	// A token revoked through this node is dropped at once; one revoked on
	// another node, or a user or role changed there, is seen within this
	// time (keystonemiddleware caches 300 s). Zero means 2 s; negative
	// disables the cache.
	AuthCacheTTL time.Duration
}

// Service is the identity domain. It is safe for concurrent use.
type Service struct {
	logger   *slog.Logger
	nowFunc  func() time.Time
	store    store.Store
	tokenTTL time.Duration

	// domains caches domain rows by id. The store has no way to change a
	// domain, so a row once read stays true.
	domains sync.Map

	// authCache maps a token hash to a recently validated principal
	// (*authCacheEntry); authCacheSize counts its entries, roughly.
	authCache     sync.Map
	authCacheSize atomic.Int64
	authCacheTTL  time.Duration

	// kdfSlots bounds concurrent password hashing (memory: 19 MiB each).
	kdfSlots chan struct{}

	// dummyHash is checked when there is no user, to take the same time.
	dummyHash string
}

// New returns a Service. It panics when cfg has no Store (a wiring bug).
func New(cfg *Config) *Service {
	if cfg == nil || cfg.Store == nil {
		panic("identity.New: Config.Store is required")
	}
	s := &Service{
		logger:       cfg.Logger,
		nowFunc:      cfg.NowFunc,
		store:        cfg.Store,
		tokenTTL:     cfg.TokenTTL,
		authCacheTTL: cfg.AuthCacheTTL,
		kdfSlots:     make(chan struct{}, max(runtime.GOMAXPROCS(0), 1)),
		dummyHash:    newDummyHash(),
	}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	if s.nowFunc == nil {
		s.nowFunc = time.Now
	}
	if s.tokenTTL <= 0 {
		s.tokenTTL = DefaultTokenTTL
	}
	if s.authCacheTTL == 0 {
		s.authCacheTTL = 2 * time.Second
	}
	return s
}

// now returns the clock's time in UTC, to the microsecond as the store keeps it.
func (s *Service) now() time.Time {
	return s.nowFunc().UTC().Truncate(time.Microsecond)
}

// domain returns the domain row with id, from the cache when possible.
func (s *Service) domain(ctx context.Context, q store.Querier, id string) (*store.Domain, error) {
	if d, ok := s.domains.Load(id); ok {
		return d.(*store.Domain), nil
	}
	d, err := q.DomainGetByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if q == store.Querier(s.store) { // a row read in a transaction may roll back
		s.domains.Store(id, d)
	}
	return d, nil
}

// NewID returns a fresh id: 32 lowercase hex characters, like Keystone's.
func NewID() string {
	return hex.EncodeToString(randomBytes(16))
}

// IsID reports whether s has the form of an id: 32 lowercase hex characters.
func IsID(s string) bool {
	if len(s) != 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// newAuditID returns an audit id as Keystone makes them: 16 random bytes in
// unpadded base64url, 22 characters.
func newAuditID() string {
	return base64.RawURLEncoding.EncodeToString(randomBytes(16))
}

// randomBytes reads n bytes from crypto/rand, which never fails on the
// platforms Go supports (Go 1.24+ crashes the program instead).
func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = io.ReadFull(rand.Reader, b)
	return b
}

// storeErr wraps a store error as an *engine.Error, naming the operation.
// An error that already is an *engine.Error (returned from inside InTx) is
// passed on as it is, even when it wraps a store sentinel.
func storeErr(op string, err error) error {
	var e *engine.Error
	if errors.As(err, &e) {
		return err
	}
	return engine.FromStore(op, err)
}
