package bench

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// build compiles exorun once per benchmark run.
func build(b *testing.B) string {
	b.Helper()
	bin := filepath.Join(b.TempDir(), "exorun")
	cmd := exec.Command("go", "build", "-o", bin, "../../cmd/exorun")
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// endpoints is what `emulator serve` prints.
type endpoints struct {
	Authority       string `json:"authority"`
	ExchangeURL     string `json:"exchange_url"`
	ComplianceURL   string `json:"compliance_url"`
	CAFile          string `json:"ca_file"`
	Organization    string `json:"organization"`
	AppID           string `json:"app_id"`
	CertificateFile string `json:"certificate_file"`
}

// serve starts an emulator process and returns its endpoints.
func serve(b *testing.B, bin string, args ...string) endpoints {
	b.Helper()
	ep, _ := serveProcess(b, bin, b.TempDir(), args...)
	return ep
}

// serveProcess starts an emulator process with its state in state and
// returns its endpoints and the process.
func serveProcess(b *testing.B, bin, state string, args ...string) (endpoints, *os.Process) {
	b.Helper()
	cmd := exec.Command(bin, append([]string{"emulator", "serve", "--state", state}, args...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	})
	var ep endpoints
	if err := json.NewDecoder(bufio.NewReader(stdout)).Decode(&ep); err != nil {
		b.Fatalf("emulator endpoints: %v", err)
	}
	return ep, cmd.Process
}

// result is one client process: its output, wall time, CPU time and
// peak RSS.
type result struct {
	out   string
	wall  time.Duration
	cpu   time.Duration // user + system
	rssMB float64
}

// client is the command that runs the client script against ep.
func client(bin string, ep endpoints, script string, args ...string) *exec.Cmd {
	cmd := exec.Command(bin, append(append([]string{"run", "--log-level", "warn"}, args...), script)...)
	cmd.Env = append(os.Environ(),
		"EXORUN_APP_ID="+ep.AppID, "EXORUN_ORGANIZATION="+ep.Organization,
		"EXORUN_CERTIFICATE_FILE="+ep.CertificateFile, "EXORUN_AUTHORITY="+ep.Authority,
		"EXORUN_EXCHANGE_URL="+ep.ExchangeURL, "EXORUN_COMPLIANCE_URL="+ep.ComplianceURL, "EXORUN_CA_FILE="+ep.CAFile)
	return cmd
}

// run runs the client script against ep as a separate process.
func run(b *testing.B, bin string, ep endpoints, script string, args ...string) result {
	b.Helper()
	cmd := client(bin, ep, script, args...)
	cmd.Stderr = os.Stderr
	start := time.Now()
	out, err := cmd.Output()
	wall := time.Since(start)
	if err != nil {
		b.Fatalf("%s: %v\n%s", script, err, out)
	}
	ru, _ := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	var rss float64
	if ru != nil {
		rss = float64(ru.Maxrss) / 1024 // Linux reports KiB
	}
	cpu := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	return result{out: string(out), wall: wall, cpu: cpu, rssMB: rss}
}

var countsRE = regexp.MustCompile(`(\w+)=(\d+)`)

func counts(b *testing.B, out string) map[string]int {
	m := map[string]int{}
	for _, kv := range countsRE.FindAllStringSubmatch(out, -1) {
		n, _ := strconv.Atoi(kv[2])
		m[kv[1]] = n
	}
	return m
}

// BenchmarkStream streams Get-Mailbox -ResultSize Unlimited (page size
// 1,000) from emulators of 10,000 and 100,000 mailboxes that add 20 ms to
// every request, with an exorun client process running
// testdata/stream.lua. Its floor is a raw sequential pager measured in the
// same run (rawPager: the same pages, no decoding); ratio is exorun's wall
// time over the pager's. cpu_us_per_object is the client process's CPU
// time (user + system) per mailbox; raw_pager_cpu_us_per_object the
// pager's (this process's CPU while it ran: HTTP, TLS, gunzip); and
// cpu_us_over_pager their difference, what turning JSON bytes into the
// Lua tables handed to the script costs (splitting pages, decoding, the
// garbage collector, the script, start-up and sign-in); rss_MB is the
// client's peak RSS.
//
//	go test -run '^$' -bench Stream -benchtime 1x ./tests/bench/
func BenchmarkStream(b *testing.B) {
	if testing.Short() {
		b.Skip("builds exorun and generates 100,000 mailboxes")
	}
	bin := build(b)
	for _, n := range []int{10000, 100000} {
		b.Run(fmt.Sprintf("mailboxes=%d", n), func(b *testing.B) {
			ep := serve(b, bin, "--mailboxes", strconv.Itoa(n), "--latency", "20ms")
			pager := newRawPager(b, ep)
			for range b.N {
				cpu0 := cpuTime(b)
				pages, floor, bodyBytes := pager.run(b)
				pagerCPU := cpuTime(b) - cpu0
				got := run(b, bin, ep, "testdata/stream.lua")
				c := counts(b, got.out)
				if c["objects"] != n || c["pages"] != pages {
					b.Fatalf("streamed %d objects in %d pages, want %d in %d", c["objects"], c["pages"], n, pages)
				}
				b.ReportMetric(got.wall.Seconds(), "wall_s")
				b.ReportMetric(floor.Seconds(), "raw_pager_s")
				b.ReportMetric(got.wall.Seconds()/floor.Seconds(), "ratio")
				b.ReportMetric(float64(got.cpu.Microseconds())/float64(n), "cpu_us_per_object")
				b.ReportMetric(float64(pagerCPU.Microseconds())/float64(n), "raw_pager_cpu_us_per_object")
				b.ReportMetric(float64((got.cpu-pagerCPU).Microseconds())/float64(n), "cpu_us_over_pager")
				b.ReportMetric(float64(bodyBytes)/float64(n), "json_bytes_per_object")
				b.ReportMetric(got.rssMB, "rss_MB")
			}
		})
	}
}

// BenchmarkParallelStatistics runs Get-MailboxStatistics for 5,000
// mailboxes with exo.parallel against a tenant limit of 8 requests in
// flight (counted from a request's arrival to its answer, latency
// included) and 20 ms per request, at a concurrency equal to the limit
// and at twice it (the excess is answered 429 and retried). The most the
// limit allows is 8 / (20 ms + the time of one call without latency);
// pct_of_max is the achieved rate against it. lost and duplicated must be
// 0.
//
//	go test -run '^$' -bench ParallelStatistics -benchtime 1x ./tests/bench/
func BenchmarkParallelStatistics(b *testing.B) {
	if testing.Short() {
		b.Skip("builds exorun and runs 5,000 calls")
	}
	const limit, calls = 8, 5000
	bin := build(b)
	slow := serve(b, bin, "--mailboxes", strconv.Itoa(calls), "--latency", "20ms", "--concurrency-limit", strconv.Itoa(limit))
	fast := serve(b, bin, "--mailboxes", strconv.Itoa(calls))
	// Each phase's time is a run minus the same run without the fan-out
	// (connecting and listing the mailboxes). The service's own time per
	// call is measured one call at a time without latency; it includes
	// the client's share, which only lowers the maximum the limit allows.
	baseFast := run(b, bin, fast, "testdata/parallel.lua", "-p", "fanout=false")
	one := run(b, bin, fast, "testdata/parallel.lua", "-p", "concurrency=1")
	baseSlow := run(b, bin, slow, "testdata/parallel.lua", "-p", "fanout=false")
	perCall := (one.wall - baseFast.wall).Seconds() / calls
	maxRate := limit / (0.020 + perCall)
	for _, concurrency := range []int{limit, 2 * limit} {
		b.Run(fmt.Sprintf("concurrency=%d", concurrency), func(b *testing.B) {
			for range b.N {
				got := run(b, bin, slow, "testdata/parallel.lua", "-p", "concurrency="+strconv.Itoa(concurrency))
				c := counts(b, got.out)
				if c["calls"] != calls || c["lost"] != 0 || c["duplicated"] != 0 {
					b.Fatalf("results: %s", got.out)
				}
				rate := calls / (got.wall - baseSlow.wall).Seconds()
				b.ReportMetric(rate, "calls/s")
				b.ReportMetric(maxRate, "max_calls/s")
				b.ReportMetric(100*rate/maxRate, "pct_of_max")
				b.ReportMetric(float64(c["retries"]), "retries")
				b.ReportMetric(float64(c["throttled"]), "throttled")
				b.ReportMetric(float64(c["lost"]+c["duplicated"]), "lost+dup")
			}
		})
	}
}

// BenchmarkAll keeps every mailbox of a 10,000- and a 100,000-mailbox
// tenant with :all(): live_KB_per_object is the heap they hold after a
// collection (collectgarbage("count") before and after), rss_MB the
// client's peak RSS.
//
//	go test -run '^$' -bench All -benchtime 1x ./tests/bench/
func BenchmarkAll(b *testing.B) {
	if testing.Short() {
		b.Skip("builds exorun and generates 100,000 mailboxes")
	}
	bin := build(b)
	for _, n := range []int{10000, 100000} {
		b.Run(fmt.Sprintf("mailboxes=%d", n), func(b *testing.B) {
			ep := serve(b, bin, "--mailboxes", strconv.Itoa(n))
			for range b.N {
				got := run(b, bin, ep, "testdata/all.lua", "--memory-limit", "4GiB")
				c := counts(b, got.out)
				if c["objects"] != n {
					b.Fatalf("kept %d objects, want %d", c["objects"], n)
				}
				b.ReportMetric(float64(c["live_kb"])/float64(n), "live_KB_per_object")
				b.ReportMetric(got.rssMB, "rss_MB")
			}
		})
	}
}
