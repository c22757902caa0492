package bench

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"
)

// coldStartRounds is how many times each command runs per benchmark
// iteration.
const coldStartRounds = 50

// BenchmarkColdStart is the time from exec to exit of the commands whose
// cost is exorun's start: `exorun version` and `exorun run print.lua`
// (print(1): start to the first Lua statement, and out), beside a Go hello
// world built the same way as the floor. The commands take turns, round
// after round, so a drift in the machine's speed touches all alike; a few
// warm-up rounds first fill the page cache. Each prints its median and
// 90th percentile wall time in milliseconds, its median CPU time (user +
// system) and its minor page faults (the binary's pages and fresh memory
// touched while starting), and the medians' excess over hello world.
// The *_nocgo commands are the same binary built with CGO_ENABLED=0, as
// deploy/Dockerfile builds it: statically linked, it skips the dynamic
// loader and cgo's thread start-up, which the default build (cgo, for the
// net package) pays.
//
//	go test -run '^$' -bench ColdStart -benchtime 1x ./tests/bench/
func BenchmarkColdStart(b *testing.B) {
	bin := build(b)
	static := buildNoCgo(b)
	hello := buildHello(b)
	dir := b.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "print.lua"), []byte("print(1)\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	cmds := []struct {
		name string
		argv []string
	}{
		{"hello", []string{hello}},
		{"version", []string{bin, "version"}},
		{"run", []string{bin, "run", "print.lua"}},
		{"version_nocgo", []string{static, "version"}},
		{"run_nocgo", []string{static, "run", "print.lua"}},
	}
	for range 5 {
		for _, c := range cmds {
			startOnce(b, dir, c.argv)
		}
	}
	for b.Loop() {
		samples := make([][]startSample, len(cmds))
		for range coldStartRounds {
			for i, c := range cmds {
				samples[i] = append(samples[i], startOnce(b, dir, c.argv))
			}
		}
		medians := map[string]float64{}
		for i, c := range cmds {
			wall := sortedMS(samples[i], func(s startSample) time.Duration { return s.wall })
			cpu := sortedMS(samples[i], func(s startSample) time.Duration { return s.cpu })
			faults := make([]float64, len(samples[i]))
			for j, s := range samples[i] {
				faults[j] = float64(s.minflt)
			}
			slices.Sort(faults)
			medians[c.name] = wall[len(wall)/2]
			b.ReportMetric(wall[len(wall)/2], c.name+"_ms")
			b.ReportMetric(wall[len(wall)*9/10], c.name+"_p90_ms")
			b.ReportMetric(cpu[len(cpu)/2], c.name+"_cpu_ms")
			b.ReportMetric(faults[len(faults)/2], c.name+"_minflt")
		}
		b.ReportMetric(medians["version"]-medians["hello"], "version_over_hello_ms")
		b.ReportMetric(medians["run"]-medians["hello"], "run_over_hello_ms")
	}
}

// startSample is one run of a command.
type startSample struct {
	wall, cpu time.Duration
	minflt    int64
}

// startOnce runs argv in dir to its end, its output going to /dev/null
// (no pipe to copy from while timing).
func startOnce(b *testing.B, dir string, argv []string) startSample {
	b.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	start := time.Now()
	if err := cmd.Run(); err != nil {
		again := exec.Command(argv[0], argv[1:]...)
		again.Dir = dir
		out, _ := again.CombinedOutput()
		b.Fatalf("%v: %v\n%s", argv, err, out)
	}
	s := startSample{wall: time.Since(start)}
	s.cpu = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		s.minflt = ru.Minflt
	}
	return s
}

// sortedMS is one duration of each sample in milliseconds, sorted.
func sortedMS(samples []startSample, of func(startSample) time.Duration) []float64 {
	ms := make([]float64, len(samples))
	for i, s := range samples {
		ms[i] = float64(of(s).Microseconds()) / 1000
	}
	slices.Sort(ms)
	return ms
}

// buildHello compiles a Go hello world the way build compiles exorun.
func buildHello(b *testing.B) string {
	b.Helper()
	dir := b.TempDir()
	src := "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"hello\") }\n"
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(src), 0o644); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module hello\n\ngo 1.26\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	bin := filepath.Join(dir, "hello")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("go build hello: %v\n%s", err, out)
	}
	return bin
}

// buildNoCgo compiles exorun as build does, with cgo off.
func buildNoCgo(b *testing.B) string {
	b.Helper()
	bin := filepath.Join(b.TempDir(), "exorun")
	cmd := exec.Command("go", "build", "-o", bin, "../../cmd/exorun")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("go build (CGO_ENABLED=0): %v\n%s", err, out)
	}
	return bin
}
