package stacks_test

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/kilnhq/kiln/internal/stacks"
)

// BenchmarkNested50x10 measures, on SQLite, a stack whose resource group
// makes 50 nested stacks (template resources) of 10 RandomStrings each:
// from the create call to CREATE_COMPLETE seen through GetStack, and
// likewise for delete (pain.md H5 asks < 1 s, nested stacks progressing in
// parallel).
func BenchmarkNested50x10(b *testing.B) {
	svc := benchService(b)
	var member strings.Builder
	member.WriteString("heat_template_version: 2018-08-31\nresources:\n")
	for i := range 10 {
		fmt.Fprintf(&member, "  r%d:\n    type: OS::Heat::RandomString\n", i)
	}
	files := map[string]string{"member.yaml": member.String()}
	tmpl := `
heat_template_version: 2018-08-31
resources:
  group:
    type: OS::Heat::ResourceGroup
    properties:
      count: 50
      resource_def: {type: member.yaml}
`
	ctx := context.Background()
	wait := func(ref stacks.StackRef, want string) { benchWait(b, svc, ref, want) }
	var createTotal, deleteTotal time.Duration
	i := 0
	for b.Loop() {
		start := time.Now()
		s, err := svc.CreateStack(ctx, &stacks.CreateParams{Caller: stacks.Caller{ProjectID: project},
			Name: fmt.Sprintf("nested%d", i), Template: []byte(tmpl), Files: files})
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
	// The heap the process keeps once the stacks are done (pain.md H5
	// asks a node to idle under 100 MB after such a run).
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heap-inuse-MB")
}
