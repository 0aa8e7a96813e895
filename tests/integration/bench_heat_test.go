package integration

import (
	"encoding/json"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// BenchmarkHeatEventShow measures GET .../resources/{r}/events/{id} on a
// `kiln serve` process (SQLite) with 4 concurrent clients over loopback
// (target p99 < 2 ms). Each b.N unit is one request; it reports p50, p99
// and requests/s.
func BenchmarkHeatEventShow(b *testing.B) {
	eventURL, tok := eventShowSetup(b)
	runEventShow(b, eventURL, tok, 0)
}

// BenchmarkHeatEventShowAt2000 is BenchmarkHeatEventShow paced at 2,000
// requests/s in all (the target's load): p99 < 2 ms.
func BenchmarkHeatEventShowAt2000(b *testing.B) {
	eventURL, tok := eventShowSetup(b)
	runEventShow(b, eventURL, tok, 2000)
}

// eventShowSetup starts kiln (access log off), creates a one-resource
// stack and returns the URL of one of its events and a token.
func eventShowSetup(b *testing.B) (eventURL, tok string) {
	p := startKiln(b, "--data", b.TempDir(), "--log-level", "warn")
	tok = token(b, p.url)
	base := p.url + "/v1/" + adminProjectID
	body := `{"stack_name":"bench","template":"heat_template_version: 2018-08-31\nresources:\n  r:\n    type: OS::Heat::RandomString\n"}`
	req, _ := http.NewRequest(http.MethodPost, base+"/stacks", strings.NewReader(body))
	req.Header.Set("X-Auth-Token", tok)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusCreated {
		b.Fatalf("create: %v %v", err, resp)
	}
	var created struct{ Stack struct{ ID string } }
	_ = json.NewDecoder(resp.Body).Decode(&created)
	resp.Body.Close()
	stackURL := base + "/stacks/bench/" + created.Stack.ID
	for deadline := time.Now().Add(10 * time.Second); eventURL == "" && time.Now().Before(deadline); {
		req, _ := http.NewRequest(http.MethodGet, stackURL+"/resources/r/events", nil)
		req.Header.Set("X-Auth-Token", tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		var evs struct{ Events []struct{ ID string } }
		_ = json.NewDecoder(resp.Body).Decode(&evs)
		resp.Body.Close()
		if len(evs.Events) > 0 {
			eventURL = stackURL + "/resources/r/events/" + evs.Events[0].ID
		}
	}
	if eventURL == "" {
		b.Fatal("no event")
	}
	return eventURL, tok
}

// runEventShow sends b.N event shows from 4 clients, paced at rate
// requests/s in all when rate > 0, and reports p50, p99 and requests/s.
func runEventShow(b *testing.B, eventURL, tok string, rate int) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 8}}
	const workers = 4
	var mu sync.Mutex
	var lat []time.Duration
	work := make(chan struct{}, workers)
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			for range work {
				req, _ := http.NewRequest(http.MethodGet, eventURL, nil)
				req.Header.Set("X-Auth-Token", tok)
				t0 := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					b.Error(err)
					return
				}
				var sink map[string]any
				_ = json.NewDecoder(resp.Body).Decode(&sink)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					b.Errorf("status %d", resp.StatusCode)
					return
				}
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}()
	}
	// Paced: request i is released at start + i/rate (open loop; a slow
	// answer does not lower the offered rate while a client is free).
	for i := 0; i < b.N; i++ {
		if rate > 0 {
			if d := time.Until(start.Add(time.Duration(i) * time.Second / time.Duration(rate))); d > 0 {
				time.Sleep(d)
			}
		}
		work <- struct{}{}
	}
	close(work)
	wg.Wait()
	elapsed := time.Since(start)
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	if len(lat) == 0 {
		return
	}
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "req/s")
}
