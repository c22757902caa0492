package scripttest

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// WriteLine writes a test's line: "ok   NAME (0.41s)" or "FAIL NAME
// (0.52s)" followed, indented, by each failure with its file:line, the
// golden files it rewrote and, when it failed, what it printed. times
// false leaves the durations out, for output that must not change.
func WriteLine(w io.Writer, r Result, times bool) {
	status := "ok  "
	if !r.Passed {
		status = "FAIL"
	}
	took := ""
	if times {
		took = fmt.Sprintf(" (%.2fs)", r.Duration.Seconds())
	}
	fmt.Fprintf(w, "%s %s%s\n", status, r.Name, took)
	for _, f := range r.Failures {
		msg := f.Message
		if f.Line > 0 {
			msg = f.File + ":" + strconv.Itoa(f.Line) + ": " + msg
		} else if !strings.HasPrefix(msg, f.File+":") { // a Lua error names its place itself
			msg = f.File + ": " + msg
		}
		fmt.Fprintf(w, "    %s\n", indent(msg, "        "))
	}
	for _, u := range r.Updated {
		fmt.Fprintf(w, "    updated %s\n", u.File)
		if u.Diff != "created" {
			fmt.Fprintf(w, "        %s\n", indent(u.Diff, "        "))
		}
	}
	if !r.Passed && r.Output != "" {
		fmt.Fprintf(w, "    output:\n        %s\n", indent(strings.TrimRight(r.Output, "\n"), "        "))
	}
}

// indent puts prefix before every line of s but the first.
func indent(s, prefix string) string {
	return strings.ReplaceAll(s, "\n", "\n"+prefix)
}

// WriteTotals writes the last line: "3 passed, 1 failed".
func WriteTotals(w io.Writer, rep Report, times bool) {
	took := ""
	if times {
		took = fmt.Sprintf(" in %.2fs", rep.Duration.Seconds())
	}
	fmt.Fprintf(w, "%d passed, %d failed%s\n", rep.Passed(), rep.Failed(), took)
}

// jsonReport is --output json: every test, then the totals.
type jsonReport struct {
	Tests []jsonResult `json:"tests"`
	// Passed and Failed count the tests.
	Passed  int      `json:"passed"`
	Failed  int      `json:"failed"`
	Seconds *float64 `json:"seconds,omitempty"`
}

type jsonResult struct {
	Result
	Seconds *float64 `json:"seconds,omitempty"`
}

// WriteJSON writes the report as one JSON document.
func WriteJSON(w io.Writer, rep Report, times bool) error {
	out := jsonReport{Tests: make([]jsonResult, len(rep.Results)), Passed: rep.Passed(), Failed: rep.Failed()}
	seconds := func(d time.Duration) *float64 {
		if !times {
			return nil
		}
		s := d.Round(time.Millisecond).Seconds()
		return &s
	}
	for i, r := range rep.Results {
		if r.Failures == nil {
			r.Failures = []failure{}
		}
		out.Tests[i] = jsonResult{Result: r, Seconds: seconds(r.Duration)}
	}
	out.Seconds = seconds(rep.Duration)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// The JUnit XML that CI systems read (Jenkins, GitLab, Azure DevOps,
// GitHub test reporters): one testsuite, one testcase per test file.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Time     string      `xml:"time,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	SystemOut *cdata        `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",cdata"`
}

// cdata is element text kept as written, line breaks and all.
type cdata struct {
	Text string `xml:",cdata"`
}

// WriteJUnit writes the report as JUnit XML.
func WriteJUnit(w io.Writer, rep Report, times bool) error {
	secs := func(d time.Duration) string {
		if !times {
			return "0"
		}
		return strconv.FormatFloat(d.Seconds(), 'f', 3, 64)
	}
	suite := junitSuite{Name: "exorun test", Tests: len(rep.Results), Failures: rep.Failed(), Time: secs(rep.Duration)}
	for _, r := range rep.Results {
		c := junitCase{Name: r.Name, Classname: strings.TrimSuffix(r.Name, ".lua"), Time: secs(r.Duration)}
		if r.Output != "" {
			c.SystemOut = &cdata{r.Output}
		}
		if !r.Passed {
			var text strings.Builder
			WriteLine(&text, Result{Name: r.Name, Failures: r.Failures, Passed: false}, false)
			f := r.Failures[0]
			first, _, _ := strings.Cut(f.Message, "\n")
			if f.Line > 0 {
				first = fmt.Sprintf("%s:%d: %s", f.File, f.Line, first)
			}
			c.Failure = &junitFailure{Message: first, Type: "failure", Text: text.String()}
		}
		suite.Cases = append(suite.Cases, c)
	}
	doc := junitSuites{Name: "exorun test", Tests: suite.Tests, Failures: suite.Failures, Time: suite.Time, Suites: []junitSuite{suite}}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
