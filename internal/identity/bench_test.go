package identity_test

import (
	"testing"

	"github.com/kilnhq/kiln/internal/identity"
)

// Benchmarks on SQLite. Issue by password is bound by argon2id (19 MiB,
// t=2, ~18 ms per core); issue by token and validation are bound by SQLite.
//
//	go test -run '^$' -bench . -benchtime 3s ./internal/identity

func reportOpsPerSecond(b *testing.B) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
}

func BenchmarkTokenIssue(b *testing.B) {
	tb := setup(b)
	req := passwordRequest(adminPassword)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := tb.svc.IssueToken(tb.ctx, req); err != nil {
				b.Error(err)
				return
			}
		}
	})
	reportOpsPerSecond(b)
}

func BenchmarkTokenIssueByToken(b *testing.B) {
	tb := setup(b)
	parent, err := tb.svc.IssueToken(tb.ctx, passwordRequest(adminPassword))
	if err != nil {
		b.Fatal(err)
	}
	req := &identity.IssueRequest{Methods: []string{identity.MethodToken}, Token: parent.ID,
		Scope: &identity.Scope{ProjectID: tb.boot.AdminProjectID}}
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := tb.svc.IssueToken(tb.ctx, req); err != nil {
				b.Error(err)
				return
			}
		}
	})
	reportOpsPerSecond(b)
}

func BenchmarkTokenValidate(b *testing.B) {
	tb := setup(b)
	tok, err := tb.svc.IssueToken(tb.ctx, passwordRequest(adminPassword))
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := tb.svc.Authenticate(tb.ctx, tok.ID); err != nil {
				b.Error(err)
				return
			}
		}
	})
	reportOpsPerSecond(b)
}

func BenchmarkAPIKeyAuthenticate(b *testing.B) {
	tb := setup(b)
	k, err := tb.svc.CreateAPIKey(tb.ctx, &identity.CreateAPIKeyRequest{UserID: tb.boot.AdminUserID, ProjectID: tb.boot.AdminProjectID})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := tb.svc.AuthenticateAPIKey(tb.ctx, k.Key); err != nil {
				b.Error(err)
				return
			}
		}
	})
	reportOpsPerSecond(b)
}
