package storetest

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/kilnhq/kiln/internal/store"
)

// BenchmarkEventAppend appends events to one project, perTx to a
// transaction, and reports events/s. Each loop iteration is one
// transaction.
func BenchmarkEventAppend(b *testing.B, s store.Store, perTx int) {
	b.Helper()
	ctx := context.Background()
	projectID := newID()
	now := time.Now()
	n := 0
	for b.Loop() {
		err := s.InTx(ctx, func(ctx context.Context, tx store.Tx) error {
			for range perTx {
				n++
				_, err := tx.EventAppend(ctx, &store.EventAppendParams{
					ID: projectID + "-" + strconv.Itoa(n), Action: "CREATE", Now: now, ProjectID: projectID,
					ResourceID: "r", ResourceName: "server", ResourceType: "OS::Nova::Server", Status: "IN_PROGRESS",
					Type: "resource.state",
				})
				if err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "events/s")
}
