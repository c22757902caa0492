package cli

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/pflag"
	lua "github.com/yuin/gopher-lua"

	"github.com/exorun/exorun/stdlib/out"
)

// The output of the commands that print what they found (cmdlets, cert
// list, whoami, doctor, bundle inspect): one --output flag declared the
// same way everywhere, and lists written as the report tables are
// (out.WriteTable), as CSV or as JSON.

// listFormats are the --output values of a list-shaped command.
func listFormats() []string { return []string{out.FormatTable, out.FormatJSON, out.FormatCSV} }

// recordFormats are the --output values of a one-record command.
func recordFormats() []string { return []string{out.FormatTable, out.FormatJSON} }

// outputFlag declares --output (-o) on fs under the Output heading, with
// formats as its help, its completion and (parseOutput) its check.
// withJSON adds --json, hidden, as the alias whoami, doctor and inspect
// had before --output: it sets the same field, so the two cannot differ.
func outputFlag(fs *pflag.FlagSet, target *string, formats []string, withJSON bool) {
	group(fs, groupOutput, func() {
		fs.StringVarP(target, "output", "o", formats[0], "output format: "+orList(formats))
		completeValues(fs, "output", formats...)
		if withJSON {
			f := fs.VarPF(jsonAlias{target}, "json", "", "same as --output json")
			f.NoOptDefVal = "true"
			_ = fs.MarkHidden("json")
		}
	})
}

// jsonAlias is the value of the hidden --json flag: true sets --output's
// field to json.
type jsonAlias struct{ output *string }

func (j jsonAlias) String() string   { return "false" }
func (j jsonAlias) Type() string     { return "bool" }
func (j jsonAlias) IsBoolFlag() bool { return true }
func (j jsonAlias) Set(s string) error {
	switch strings.ToLower(s) {
	case "true", "1":
		*j.output = out.FormatJSON
	case "false", "0":
	default:
		return fmt.Errorf("want true or false")
	}
	return nil
}

// parseOutput checks --output's value against formats, case-insensitive.
// what names the command's output for the error, so that -o csv on a
// record says why it is refused.
func parseOutput(value string, formats []string, what string) (string, error) {
	f := strings.ToLower(strings.TrimSpace(value))
	if slices.Contains(formats, f) {
		return f, nil
	}
	if f == out.FormatCSV {
		return "", usageError("--output csv: %s is one record, not a list; want %s", what, orList(formats))
	}
	return "", usageError("--output %q: want %s", value, orList(formats))
}

// column is one column of a list the CLI prints: its title in the
// table, its key in CSV (the JSON key of the same field, so the two
// formats name it alike) and its cell. csv, when set, is the CSV cell
// where the table's is shortened for the eye.
type column[T any] struct {
	title, key string
	cell, csv  func(T) string
}

// writeList prints rows in format: a table drawn like out.print's (light
// box borders, the titles as written), CSV with a header row of the keys
// (a header even with no rows, so a reader sees the columns), or JSON,
// an array (never null) of each row's own JSON form.
func writeList[T any](w io.Writer, format string, cols []column[T], rows []T) error {
	switch format {
	case out.FormatJSON:
		if rows == nil {
			rows = []T{}
		}
		return writeJSON(w, rows)
	case out.FormatCSV:
		cw := csv.NewWriter(w)
		record := make([]string, len(cols))
		for i, c := range cols {
			record[i] = c.key
		}
		_ = cw.Write(record)
		for _, r := range rows {
			for i, c := range cols {
				cell := c.cell
				if c.csv != nil {
					cell = c.csv
				}
				record[i] = cell(r)
			}
			_ = cw.Write(record)
		}
		cw.Flush()
		return cw.Error()
	}
	// stdlib/out draws it, so every table of the CLI has one style; it
	// takes Lua rows, as out.print gets them.
	L := lua.NewState(lua.Options{SkipOpenLibs: true})
	defer L.Close()
	titles := make([]string, len(cols))
	for i, c := range cols {
		titles[i] = c.title
	}
	tables := make([]*lua.LTable, len(rows))
	for i, r := range rows {
		t := L.NewTable()
		for _, c := range cols {
			t.RawSetString(c.title, lua.LString(c.cell(r)))
		}
		tables[i] = t
	}
	// Width 0: no column is cut to fit the terminal. These lists hold
	// names and thumbprints to copy, which a cut would make useless; a
	// narrow use has -o csv or -o json.
	_, err := out.WriteTable(L, w, tables, titles, 0)
	return err
}

// writeJSON writes v indented, as every -o json of the CLI does.
func writeJSON(w io.Writer, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding the JSON output: %w", err)
	}
	_, err = fmt.Fprintf(w, "%s\n", data)
	return err
}
