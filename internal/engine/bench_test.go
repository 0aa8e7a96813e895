package engine_test

import (
	"context"
	"sort"
	"testing"
	"time"

	"github.com/kilnhq/kiln/internal/engine"
	"github.com/kilnhq/kiln/internal/engine/enginetest"
)

// BenchmarkSignalWake measures, on SQLite, the time from sending a signal
// to a waiting operation until the operation is seen finished: the
// engine's share of Heat's "signal → CREATE_COMPLETE" (target < 20 ms
// median). Reports median and p90.
func BenchmarkSignalWake(b *testing.B) {
	st := enginetest.NewSQLite(b)
	e := enginetest.NewEngine(b, st, &engine.Config{FetchPollInterval: time.Second}, nil)
	ctx := context.Background()
	var lat []time.Duration
	for b.Loop() {
		b.StopTimer()
		op, _, err := e.Submit(ctx, &engine.SubmitParams{Type: engine.OperationTypeSleepCount, ProjectID: project,
			Input: engine.SleepCountInput{Steps: 0, WaitForSignal: true}})
		if err != nil {
			b.Fatal(err)
		}
		for {
			got, err := e.GetOperation(ctx, project, op.ID)
			if err != nil {
				b.Fatal(err)
			}
			if got.State == engine.OperationStateWaiting {
				break
			}
			time.Sleep(200 * time.Microsecond)
		}
		b.StartTimer()
		start := time.Now()
		if _, _, err := e.Signal(ctx, &engine.SignalParams{ProjectID: project, TargetID: op.ID, WakeOperationID: op.ID}); err != nil {
			b.Fatal(err)
		}
		for {
			got, err := e.GetOperation(ctx, project, op.ID)
			if err != nil {
				b.Fatal(err)
			}
			if got.State.Terminal() {
				break
			}
			time.Sleep(100 * time.Microsecond)
		}
		lat = append(lat, time.Since(start))
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "median-ms")
	b.ReportMetric(float64(lat[len(lat)*9/10].Microseconds())/1000, "p90-ms")
}
