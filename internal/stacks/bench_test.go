package stacks_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/kilnhq/kiln/internal/engine"
	"github.com/kilnhq/kiln/internal/engine/enginetest"
	"github.com/kilnhq/kiln/internal/stacks"
)

// BenchmarkStack500RandomStrings measures, on SQLite, a stack of 500
// independent OS::Heat::RandomString resources: from the create call to
// CREATE_COMPLETE seen through GetStack, and likewise for delete (targets
// < 0.5 s each).
// benchService is a stacks service on a fresh SQLite engine, polling
// River only as the fallback it is in production.
func benchService(b *testing.B) *stacks.Service {
	st := enginetest.NewSQLite(b)
	var svc *stacks.Service
	enginetest.NewEngineWith(b, st, &engine.Config{FetchPollInterval: time.Second}, func(e *engine.Engine) {
		svc = stacks.New(&stacks.Config{Engine: e})
	})
	return svc
}

// benchWait polls GetStack until the stack is want, failing on FAILED.
func benchWait(b *testing.B, svc *stacks.Service, ref stacks.StackRef, want string) {
	for {
		s, err := svc.GetStack(context.Background(), ref, false)
		if err != nil {
			b.Fatal(err)
		}
		if s.Action+"_"+s.Status == want {
			return
		}
		if s.Status == "FAILED" {
			b.Fatalf("%s_%s: %s", s.Action, s.Status, s.StatusReason)
		}
		time.Sleep(time.Millisecond)
	}
}

func BenchmarkStack500RandomStrings(b *testing.B) {
	svc := benchService(b)
	var tmpl strings.Builder
	tmpl.WriteString("heat_template_version: 2018-08-31\nresources:\n")
	for i := range 500 {
		fmt.Fprintf(&tmpl, "  r%d:\n    type: OS::Heat::RandomString\n", i)
	}
	ctx := context.Background()
	wait := func(ref stacks.StackRef, want string) { benchWait(b, svc, ref, want) }
	var createTotal, deleteTotal time.Duration
	i := 0
	for b.Loop() {
		start := time.Now()
		s, err := svc.CreateStack(ctx, &stacks.CreateParams{Caller: stacks.Caller{ProjectID: project},
			Name: fmt.Sprintf("bench%d", i), Template: []byte(tmpl.String())})
		if err != nil {
			b.Fatal(err)
		}
		wait(s.Ref(), "CREATE_COMPLETE")
		createTotal += time.Since(start)
		start = time.Now()
		if err := svc.DeleteStack(ctx, s.Ref()); err != nil {
			b.Fatal(err)
		}
		wait(s.Ref(), "DELETE_COMPLETE")
		deleteTotal += time.Since(start)
		i++
	}
	b.ReportMetric(float64(createTotal.Milliseconds())/float64(i), "create-ms")
	b.ReportMetric(float64(deleteTotal.Milliseconds())/float64(i), "delete-ms")
}

// BenchmarkSignalToComplete measures, on SQLite, a wait condition stack:
// from the signal call to CREATE_COMPLETE seen through GetStack (target
// < 20 ms median). Reports median and p90.
func BenchmarkSignalToComplete(b *testing.B) {
	st := enginetest.NewSQLite(b)
	var svc *stacks.Service
	enginetest.NewEngineWith(b, st, &engine.Config{FetchPollInterval: time.Second}, func(e *engine.Engine) {
		svc = stacks.New(&stacks.Config{Engine: e, PublicURL: "http://kiln.test"})
	})
	ctx := context.Background()
	var lat []time.Duration
	i := 0
	for b.Loop() {
		b.StopTimer()
		s, err := svc.CreateStack(ctx, &stacks.CreateParams{Caller: stacks.Caller{ProjectID: project},
			Name: fmt.Sprintf("sig%d", i), Template: []byte(waitTemplate)})
		if err != nil {
			b.Fatal(err)
		}
		i++
		for {
			r, err := svc.GetResource(ctx, s.Ref(), "wait", nil)
			if err != nil {
				b.Fatal(err)
			}
			if r.Status == "IN_PROGRESS" {
				break
			}
			time.Sleep(time.Millisecond)
		}
		time.Sleep(5 * time.Millisecond) // let the operation park
		b.StartTimer()
		start := time.Now()
		if err := svc.SignalResource(ctx, s.Ref(), "handle", []byte(`{"status":"SUCCESS"}`)); err != nil {
			b.Fatal(err)
		}
		for {
			got, err := svc.GetStack(ctx, s.Ref(), false)
			if err != nil {
				b.Fatal(err)
			}
			if got.Status != "IN_PROGRESS" {
				if got.Status != "COMPLETE" {
					b.Fatal(got.StatusReason)
				}
				break
			}
			time.Sleep(200 * time.Microsecond)
		}
		lat = append(lat, time.Since(start))
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "median-ms")
	b.ReportMetric(float64(lat[len(lat)*9/10].Microseconds())/1000, "p90-ms")
}
