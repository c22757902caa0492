package out

import (
	"errors"
	"fmt"
	"io"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/exorun/exorun/runtime"
)

// The output formats.
const (
	FormatTable = "table"
	FormatCSV   = "csv"
	FormatJSON  = "json"
	FormatXLSX  = "xlsx"
)

// Options configure the module; the CLI fills them from its flags and the
// terminal.
type Options struct {
	// Stdout receives the output; nil discards it.
	Stdout io.Writer
	// Format is the default format (the --output flag): "table" (also
	// when empty), "csv", "json" or "xlsx".
	Format string
	// Width is the terminal width a table must fit in; 0 means stdout is
	// not a terminal, or no limit.
	Width int
	// Color allows ANSI styling (a bold header). The CLI sets it false when
	// NO_COLOR is set or stdout is not a terminal.
	Color bool
	// Folders.Out receives the CSV files of calls with a path; when it is
	// nil such calls fail.
	Folders runtime.Folders
	// Workbook collects the sheets of xlsx output; the caller writes it
	// with Close when the run ends. When it is nil xlsx output fails.
	Workbook *Workbook
	// Exclusive reserves stdout for Format when it is json or csv: a call
	// that would print another format there is an error, so a program
	// reading stdout always can (the CLI sets it for -o json and -o csv).
	Exclusive bool
	// Tenant, when set, is stamped on every row of JSON output as a
	// "tenant" key before the row's own (a run over many tenants writes
	// all their documents to one stdout); a row with a "tenant" key of
	// its own, in any case, is an error.
	Tenant string
}

// ParseFormat checks an output format name (the --output flag): table,
// csv, json or xlsx, case-insensitive; "" means table.
func ParseFormat(s string) (string, error) {
	switch f := strings.ToLower(strings.TrimSpace(s)); f {
	case "":
		return FormatTable, nil
	case FormatTable, FormatCSV, FormatJSON, FormatXLSX:
		return f, nil
	}
	return "", fmt.Errorf("unknown output format %q: want table, csv, json or xlsx", s)
}

// Module returns the "out" module printing to opts.Stdout.
func Module(opts Options) runtime.Module {
	if opts.Stdout == nil {
		opts.Stdout = io.Discard
	}
	return runtime.Module{
		Name: "out",
		Open: func(L *lua.LState) lua.LValue {
			p := &printer{opts: opts}
			t := L.NewTable()
			t.RawSetString("print", L.NewFunction(p.printFunc("out.print", "")))
			t.RawSetString("table", L.NewFunction(p.printFunc("out.table", FormatTable)))
			t.RawSetString("csv", L.NewFunction(p.printFunc("out.csv", FormatCSV)))
			t.RawSetString("json", L.NewFunction(p.printFunc("out.json", FormatJSON)))
			t.RawSetString("format", L.NewFunction(p.format))
			return t
		},
	}
}

// printer is one opened module: the options it was made with, and whether
// a CSV table went to stdout already (a second one would make stdout
// unreadable as CSV).
type printer struct {
	opts      Options
	stdoutCSV bool
}

// errSecondCSV refuses a second CSV table on stdout.
var errSecondCSV = errors.New(`stdout already holds a CSV table; give this one a path = "name.csv" to write it to a file in the --out folder`)

// format is out.format(): the effective default format.
func (p *printer) format(L *lua.LState) int {
	f, err := ParseFormat(p.opts.Format)
	if err != nil {
		return runtime.Raise(L, fmt.Errorf("out.format: %w", err))
	}
	L.Push(lua.LString(f))
	return 1
}

// printFunc returns out.print (forced "") or one of the format-forcing
// functions.
func (p *printer) printFunc(name, forced string) lua.LGFunction {
	return func(L *lua.LState) int {
		req, err := p.request(L, forced)
		if err == nil {
			err = p.emit(L, req)
		}
		if err != nil {
			return runtime.Raise(L, fmt.Errorf("%s: %w", name, err))
		}
		return 0
	}
}

// emit sends one request where its format goes: a sheet of the workbook,
// a CSV file, or text on stdout.
func (p *printer) emit(L *lua.LState, req *request) error {
	if req.format == FormatXLSX {
		if p.opts.Workbook == nil {
			return errors.New("xlsx output is not available here (no workbook to write to)")
		}
		return p.opts.Workbook.add(L, req)
	}
	if req.format == FormatCSV && req.path != "" {
		return writeCSVFile(L, p.opts.Folders.Out, req)
	}
	// Under -o json or -o csv stdout is data a program reads: a table, or
	// the other format, in the middle of it would break the reader.
	if def, _ := ParseFormat(p.opts.Format); p.opts.Exclusive && (def == FormatJSON || def == FormatCSV) && req.format != def {
		return fmt.Errorf("stdout holds -o %s output, which %s would break; use out.print, which follows -o (or path = \"name.csv\" for a CSV file)", def, req.format)
	}
	var b strings.Builder
	var err error
	switch req.format {
	case FormatCSV:
		if p.stdoutCSV {
			return errSecondCSV
		}
		p.stdoutCSV = true
		err = writeCSV(L, &b, req)
	case FormatJSON:
		req.tenant = p.opts.Tenant
		err = writeJSON(L, &b, req)
	default:
		err = writeTable(L, &b, req, p.opts.Width, p.opts.Color)
	}
	if err != nil {
		return err
	}
	if _, err := io.WriteString(p.opts.Stdout, b.String()); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	return nil
}
