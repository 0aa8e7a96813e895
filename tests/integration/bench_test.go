package integration

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"testing"
	"time"
)

// BenchmarkColdStart measures a new `kiln serve` process on an empty SQLite
// data directory, from exec to the first 200 from /readyz (target < 300 ms).
// It reports the median and the worst run besides the mean.
func BenchmarkColdStart(b *testing.B) {
	var runs []time.Duration
	for i := 0; b.Loop(); i++ {
		dir := b.TempDir()
		port := freePort(b)
		start := time.Now()
		cmd := exec.Command(kilnBin, "serve", "--listen", port, "--data", filepath.Join(dir, "data"), "--log-level", "error")
		cmd.Env = append(os.Environ(), "KILN_ADMIN_PASSWORD=bench-password")
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		url := "http://" + port + "/readyz"
		for {
			resp, err := http.Get(url)
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					break
				}
			}
			if time.Since(start) > 30*time.Second {
				b.Fatal("not ready after 30s")
			}
			time.Sleep(time.Millisecond)
		}
		runs = append(runs, time.Since(start))
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}
	sort.Slice(runs, func(i, j int) bool { return runs[i] < runs[j] })
	b.ReportMetric(float64(runs[len(runs)/2].Microseconds())/1000, "median-ms")
	b.ReportMetric(float64(runs[len(runs)-1].Microseconds())/1000, "max-ms")
}
