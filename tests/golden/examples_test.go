package golden

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/exorun/exorun/cmd/exorun/cli"
	"github.com/exorun/exorun/internal/exitcode"
)

// examplesDir holds the example scripts, relative to this package.
const examplesDir = "../../scripts/examples"

// exampleScripts returns the paths of scripts/examples/*.lua and of the
// example bundles' entry scripts, scripts/examples/NAME/NAME.lua.
func exampleScripts(t *testing.T) []string {
	t.Helper()
	scripts, err := filepath.Glob(filepath.Join(examplesDir, "*.lua"))
	scripts = slices.DeleteFunc(scripts, func(s string) bool { return strings.HasSuffix(s, "_test.lua") })
	if err != nil || len(scripts) == 0 {
		t.Fatalf("no example scripts found in %s: %v", examplesDir, err)
	}
	return append(scripts, exampleBundles(t)...)
}

// exampleBundles returns the entry scripts of the example bundles: each
// folder of scripts/examples with a manifest.json, whose entry is
// NAME/NAME.lua.
func exampleBundles(t *testing.T) []string {
	t.Helper()
	manifests, err := filepath.Glob(filepath.Join(examplesDir, "*", "manifest.json"))
	if err != nil || len(manifests) == 0 {
		t.Fatalf("no example bundles found in %s: %v", examplesDir, err)
	}
	var entries []string
	for _, m := range manifests {
		dir := filepath.Dir(m)
		entries = append(entries, filepath.Join(dir, filepath.Base(dir)+".lua"))
	}
	return entries
}

// exampleBase is the path an example's .args and .golden files extend:
// scripts/examples/NAME for NAME.lua and for a bundle's NAME/NAME.lua
// alike, since a bundle's folder holds only what it ships.
func exampleBase(script string) string {
	if dir := filepath.Dir(script); filepath.Base(dir)+".lua" == filepath.Base(script) {
		return dir
	}
	return strings.TrimSuffix(script, ".lua")
}

// exampleArgs is the command line of an example: run --out outDir, then
// flags, then NAME.args (extra arguments, one a line, when present), then
// the script.
func exampleArgs(t *testing.T, script, outDir string, flags ...string) []string {
	t.Helper()
	args := append([]string{"run", "--out", outDir}, flags...)
	if extra, err := os.ReadFile(exampleBase(script) + ".args"); err == nil {
		args = append(args, strings.Fields(string(extra))...)
	} else if !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	return append(args, script)
}

// runCLI runs the real CLI in-process with args and its own Env: no
// terminal, no signals, the pinned clock, log records without time.
// Each call starts its own demo tenant, so calls may run in parallel.
func runCLI(args []string) (stdout, stderr string, code int) {
	return runCLIWithConfig("", args...)
}

// runCLIWithConfig is runCLI with config as the config folder (trusted
// certificates, the certificate store); "" keeps the process's.
func runCLIWithConfig(config string, args ...string) (stdout, stderr string, code int) {
	return runCLIWith(config, nil, args...)
}

// runCLIWith is runCLIWithConfig with vars as the environment besides
// EXORUN_LOG_NO_TIME.
func runCLIWith(config string, vars map[string]string, args ...string) (stdout, stderr string, code int) {
	now, _ := time.Parse(time.RFC3339, pinnedNow)
	var out, errOut bytes.Buffer
	env := cli.OSEnv()
	env.Args = args
	env.Stdin = strings.NewReader("")
	env.Stdout, env.Stderr = &out, &errOut
	env.StdinTerminal, env.StdoutTerminal, env.Width = false, false, 0
	env.Terminal, env.Notify = nil, nil
	env.Now = func() time.Time { return now }
	if config != "" {
		env.ConfigDir = config
	}
	env.LookupEnv = func(key string) (string, bool) {
		if key == "EXORUN_LOG_NO_TIME" {
			return "1", true
		}
		v, ok := vars[key]
		return v, ok
	}
	code = cli.Main(env)
	return out.String(), errOut.String(), code
}

// TestExamples runs `exorun test scripts/examples`, as an admin tests
// their own scripts: scripts/examples/examples_test.lua holds every
// example's golden output (NAME.golden, with the flags in NAME.args) and
// scripts/examples/tests/ the worked example of the README. It checks the
// JUnit report a CI system would read, too. EXORUN_UPDATE=1 passes
// --update, which rewrites the golden files.
func TestExamples(t *testing.T) {
	junit := filepath.Join(t.TempDir(), "junit.xml")
	args := []string{"test", "--junit", junit}
	if update() {
		args = append(args, "--update")
	}
	stdout, stderr, code := runCLI(append(args, examplesDir))
	if code != 0 {
		t.Fatalf("exorun test %s: exit %d\n%s%s", examplesDir, code, stdout, stderr)
	}
	tests, err := filepath.Glob(filepath.Join(examplesDir, "*_test.lua"))
	if err != nil {
		t.Fatal(err)
	}
	more, err := filepath.Glob(filepath.Join(examplesDir, "tests", "*_test.lua"))
	if err != nil || len(tests) == 0 || len(more) < 3 {
		t.Fatalf("test files: %v %v (%v)", tests, more, err)
	}
	tests = append(tests, more...)
	for _, f := range tests {
		if !strings.Contains(stdout, "ok   "+filepath.ToSlash(f)+"\n") {
			t.Errorf("%s: not reported ok:\n%s", f, stdout)
		}
	}
	if want := fmt.Sprintf("%d passed, 0 failed\n", len(tests)); !strings.HasSuffix(stdout, want) {
		t.Errorf("totals: want %q at the end of\n%s", want, stdout)
	}

	data, err := os.ReadFile(junit)
	if err != nil {
		t.Fatal(err)
	}
	var report struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Suites   []struct {
			Cases []struct {
				Name    string    `xml:"name,attr"`
				Failure *struct{} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(data, &report); err != nil {
		t.Fatalf("--junit wrote no valid XML: %v\n%s", err, data)
	}
	if report.Tests != len(tests) || report.Failures != 0 || len(report.Suites) != 1 || len(report.Suites[0].Cases) != len(tests) {
		t.Errorf("JUnit report: %+v, want %d passing test cases", report, len(tests))
	}
}

// TestExamplesMachineOutput runs every example with -o json and -o csv
// and checks that what it leaves is for machines: with json, stdout is a
// stream of JSON arrays that encoding/json and jq read; with csv, stdout
// is exactly one CSV table, and every CSV file in --out parses too.
func TestExamplesMachineOutput(t *testing.T) {
	jq, err := exec.LookPath("jq")
	if err != nil {
		t.Log("jq is not on PATH: JSON output is checked with encoding/json alone")
	}
	for _, script := range exampleScripts(t) {
		name := strings.TrimSuffix(filepath.Base(script), ".lua")
		for _, format := range []string{"json", "csv"} {
			t.Run(name+"/"+format, func(t *testing.T) {
				t.Parallel()
				dir := t.TempDir()
				stdout, stderr, code := runCLI(exampleArgs(t, script, dir, "-o", format))
				// A failed threshold (7) is the report's verdict: its
				// output is complete all the same.
				if code != 0 && code != int(exitcode.Checks) {
					t.Fatalf("exit %d\n--- stderr ---\n%s", code, stderr)
				}
				switch format {
				case "json":
					checkJSONStream(t, stdout)
					if jq != "" {
						cmd := exec.Command(jq, ".")
						cmd.Stdin = strings.NewReader(stdout)
						if msg, err := cmd.CombinedOutput(); err != nil {
							t.Errorf("jq . refuses stdout: %v\n%s\n--- stdout ---\n%s", err, msg, stdout)
						}
					}
				case "csv":
					checkCSV(t, "stdout", stdout)
				}
				// Files a run wrote with path (and csv.write) parse as well.
				err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
					if err != nil || d.IsDir() || filepath.Ext(path) != ".csv" {
						return err
					}
					b, err := os.ReadFile(path)
					if err != nil {
						return err
					}
					checkCSV(t, filepath.Base(path), string(b))
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
			})
		}
	}
}

// checkJSONStream fails unless s is one or more JSON values, each an array.
func checkJSONStream(t *testing.T, s string) {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	n := 0
	for {
		var v any
		err := dec.Decode(&v)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("stdout is not a JSON stream: value %d: %v\n%s", n+1, err, s)
		}
		n++
		if _, ok := v.([]any); !ok {
			t.Errorf("JSON value %d is a %T, want an array", n, v)
		}
	}
	if n == 0 {
		t.Errorf("stdout holds no JSON value")
	}
}

// checkCSV fails unless s is one CSV table: strict quoting, every record
// as wide as the header, and no record repeating the header (the sign of
// a second table of the same columns glued on).
func checkCSV(t *testing.T, name, s string) {
	t.Helper()
	r := csv.NewReader(strings.NewReader(s)) // FieldsPerRecord 0, LazyQuotes false
	records, err := r.ReadAll()
	if err != nil {
		t.Fatalf("%s is not one CSV table: %v\n%s", name, err, s)
	}
	if len(records) == 0 {
		t.Fatalf("%s holds no CSV header", name)
	}
	for i, rec := range records[1:] {
		if slices.Equal(rec, records[0]) {
			t.Errorf("%s: record %d repeats the header: a second table\n%s", name, i+2, s)
		}
	}
}

// TestExampleXLSX runs mailbox-report with -o xlsx and reads the workbook
// back: stdout stays empty, the sheet has the header and numeric cells.
func TestExampleXLSX(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(examplesDir, "mailbox-report.lua")
	stdout, stderr, code := runCLI(exampleArgs(t, script, dir, "-o", "xlsx"))
	if code != 0 {
		t.Fatalf("exit %d\n--- stderr ---\n%s", code, stderr)
	}
	if stdout != "" {
		t.Errorf("stdout should be empty in xlsx mode, got:\n%s", stdout)
	}
	f, err := excelize.OpenFile(filepath.Join(dir, "mailbox-report.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) != 1 || !strings.HasPrefix(sheets[0], "Mailboxes by size") {
		t.Fatalf("sheets %q, want one named from the title", sheets)
	}
	rows, err := f.GetRows(sheets[0])
	if err != nil || len(rows) < 2 {
		t.Fatalf("rows %q: %v", rows, err)
	}
	if want := []string{"Mailbox", "UPN", "Type", "Items"}; !slices.Equal(rows[0][:4], want) {
		t.Errorf("header %q, want it to start with %q", rows[0], want)
	}
	items, err := f.GetCellValue(sheets[0], "D2", excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := strconv.ParseFloat(items, 64); err != nil {
		t.Errorf("D2 (Items) = %q, want a number", items)
	}
	if typ, _ := f.GetCellType(sheets[0], "D2"); typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber {
		t.Errorf("D2 (Items) has cell type %v, want a number cell", typ)
	}
}
