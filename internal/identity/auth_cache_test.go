package identity_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kilnhq/kiln/internal/engine"
	"github.com/kilnhq/kiln/internal/identity"
)

func TestAuthCache(t *testing.T) {
	t.Parallel()

	t.Run("RevokedHereIsRefusedAtOnce", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		tok, err := b.svc.IssueToken(b.ctx, passwordRequest(adminPassword))
		require.NoError(t, err)
		p, err := b.svc.Authenticate(b.ctx, tok.ID)
		require.NoError(t, err)
		require.NoError(t, b.svc.RevokeToken(b.ctx, p, tok.ID))
		_, err = b.svc.Authenticate(b.ctx, tok.ID)
		requireKind(t, engine.KindUnauthenticated, err)
	})

	t.Run("RevokedElsewhereIsRefusedWithinTTL", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		tok, err := b.svc.IssueToken(b.ctx, passwordRequest(adminPassword))
		require.NoError(t, err)
		_, err = b.svc.Authenticate(b.ctx, tok.ID)
		require.NoError(t, err)
		// Another node revokes it: this node's cache still answers ...
		other := identity.New(&identity.Config{Store: b.store, NowFunc: b.clock.Now})
		p, err := other.Authenticate(b.ctx, tok.ID)
		require.NoError(t, err)
		require.NoError(t, other.RevokeToken(b.ctx, p, tok.ID))
		_, err = b.svc.Authenticate(b.ctx, tok.ID)
		require.NoError(t, err, "cached for up to AuthCacheTTL")
		// ... but not after the TTL.
		b.clock.Advance(2 * time.Second)
		_, err = b.svc.Authenticate(b.ctx, tok.ID)
		requireKind(t, engine.KindUnauthenticated, err)
	})

	t.Run("CachedPrincipalIsACopy", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		tok, err := b.svc.IssueToken(b.ctx, passwordRequest(adminPassword))
		require.NoError(t, err)
		p1, err := b.svc.Authenticate(b.ctx, tok.ID)
		require.NoError(t, err)
		p1.Roles[0].Name = "mutated"
		p2, err := b.svc.Authenticate(b.ctx, tok.ID)
		require.NoError(t, err)
		require.NotEqual(t, "mutated", p2.Roles[0].Name)
	})

	t.Run("NegativeTTLDisables", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		svc := identity.New(&identity.Config{Store: b.store, NowFunc: b.clock.Now, AuthCacheTTL: -1})
		tok, err := svc.IssueToken(b.ctx, passwordRequest(adminPassword))
		require.NoError(t, err)
		_, err = svc.Authenticate(b.ctx, tok.ID)
		require.NoError(t, err)
		other := identity.New(&identity.Config{Store: b.store, NowFunc: b.clock.Now})
		p, err := other.Authenticate(b.ctx, tok.ID)
		require.NoError(t, err)
		require.NoError(t, other.RevokeToken(b.ctx, p, tok.ID), "revoked on another node")
		_, err = svc.Authenticate(b.ctx, tok.ID)
		requireKind(t, engine.KindUnauthenticated, err)
	})
}
