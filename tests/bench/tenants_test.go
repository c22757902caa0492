package bench

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// BenchmarkTenants runs one script over 20 tenants with 20 ms added to
// every request and a limit of 4 requests in flight per tenant, through
// one `exorun run --tenants` at --parallel 1, 4 and 10:
//
//   - stream: every mailbox of tenants of 5,000 (100,000 objects of some
//     6 KB of JSON each), where the CPU of the client and the emulator
//     decides;
//   - calls: 20 small calls one after another per tenant, where the
//     service's latency decides.
//
// It reports the aggregate objects/s (calls/s for calls), the speed-up
// over --parallel 1, the client's peak RSS, its CPU (user + system) per
// object and as a share of the wall time, and the emulator's. lost must be
// 0: every tenant returns all its objects exactly once.
func BenchmarkTenants(b *testing.B) {
	if testing.Short() {
		b.Skip("builds exorun and generates 100,000 mailboxes")
	}
	const tenants, mailboxes = 20, 5000
	bin := build(b)
	state := b.TempDir()
	ep, emu := serveProcess(b, bin, state, "--tenants", strconv.Itoa(tenants), "--mailboxes", strconv.Itoa(mailboxes),
		"--latency", "20ms", "--concurrency-limit", "4")
	list := filepath.Join(state, "tenants.csv")
	for _, w := range []struct {
		name, script string
		perTenant    int // objects each tenant returns
	}{
		{"stream", "testdata/stream.lua", mailboxes},
		{"calls", "testdata/calls.lua", 20},
	} {
		var serial float64
		for _, parallel := range []int{1, 4, 10} {
			b.Run(fmt.Sprintf("%s/parallel=%d", w.name, parallel), func(b *testing.B) {
				for range b.N {
					emuBefore := processCPU(b, emu)
					cmd := client(bin, ep, w.script, "--tenants", list, "--parallel", strconv.Itoa(parallel), "-q")
					cmd.Stderr = os.Stderr
					start := time.Now()
					out, err := cmd.Output()
					wall := time.Since(start)
					if err != nil {
						b.Fatalf("run: %v\n%s", err, out)
					}
					emuCPU := processCPU(b, emu) - emuBefore
					objects, lines := 0, 0
					sc := bufio.NewScanner(bytes.NewReader(out))
					for sc.Scan() {
						c := counts(b, sc.Text())
						if c["objects"] != w.perTenant {
							b.Errorf("a tenant returned %d objects, want %d: %s", c["objects"], w.perTenant, sc.Text())
						}
						objects += c["objects"]
						lines++
					}
					if lines != tenants || objects != tenants*w.perTenant {
						b.Fatalf("%d tenants returned %d objects, want %d and %d", lines, objects, tenants, tenants*w.perTenant)
					}
					ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
					cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
					rate := float64(objects) / wall.Seconds()
					if parallel == 1 {
						serial = rate
					}
					b.ReportMetric(rate, "objects/s")
					if serial > 0 {
						b.ReportMetric(rate/serial, "speedup")
					}
					b.ReportMetric(float64(cpu.Microseconds())/float64(objects), "cpu_µs/object")
					b.ReportMetric(100*cpu.Seconds()/wall.Seconds(), "cpu_%")
					b.ReportMetric(100*emuCPU.Seconds()/wall.Seconds(), "emulator_cpu_%")
					b.ReportMetric(float64(ru.Maxrss)/1024, "rss_MB")
					b.ReportMetric(float64(tenants*w.perTenant-objects), "lost")
				}
			})
		}
	}
}

// processCPU is the user + system CPU a running process has used, from
// /proc (Linux; the benchmark skips elsewhere).
func processCPU(b *testing.B, p *os.Process) time.Duration {
	b.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.Pid))
	if err != nil {
		b.Skipf("no /proc: %v", err)
	}
	// The fields after the command name, which may hold spaces, in
	// parentheses; utime and stime are fields 14 and 15, in clock ticks
	// (100 per second on Linux).
	fields := strings.Fields(string(data[bytes.LastIndexByte(data, ')')+2:]))
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	return time.Duration(utime+stime) * 10 * time.Millisecond
}
