package keystone_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// HTTP benchmarks through the handler (no network), on SQLite.
//
//	go test -run '^$' -bench . -benchtime 3s ./internal/api/keystone

func BenchmarkHTTPTokenIssue(b *testing.B) {
	tb := setup(b)
	body := passwordBody("admin", adminPassword, adminProjectID)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req := httptest.NewRequest(http.MethodPost, "/v3/auth/tokens", strings.NewReader(body))
			rec := httptest.NewRecorder()
			tb.handler.ServeHTTP(rec, req)
			if rec.Code != http.StatusCreated {
				b.Errorf("status %d: %s", rec.Code, rec.Body)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
}

func BenchmarkHTTPTokenValidate(b *testing.B) {
	tb := setup(b)
	tok := tb.issue(b)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req := httptest.NewRequest(http.MethodGet, "/v3/auth/tokens", nil)
			req.Header.Set("X-Auth-Token", tok)
			req.Header.Set("X-Subject-Token", tok)
			rec := httptest.NewRecorder()
			tb.handler.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				b.Errorf("status %d: %s", rec.Code, rec.Body)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
}
