package repl

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/olekukonko/tablewriter/pkg/twwidth"
	lua "github.com/yuin/gopher-lua"

	"github.com/exorun/exorun/bindings"
	"github.com/exorun/exorun/runtime"
)

// TestMain pins tablewriter's width measure to narrow, as stdlib/out's
// tests do, so box-drawing characters count one column whatever the
// locale.
func TestMain(m *testing.M) {
	twwidth.SetOptions(twwidth.Options{})
	os.Exit(m.Run())
}

// fakeStream stands in for a cmdlet's result stream: a userdata under the
// bindings' metatable name whose __index serves next, close, cmdlet and
// columns as bindings/results.go does.
type fakeStream struct {
	objects []*lua.LTable
	read    int
	closed  bool
	cmdlet  string
	columns []string
	fail    error // raised by next once the objects are read
}

func (f *fakeStream) userdata(L *lua.LState) *lua.LUserData {
	mt := L.NewTypeMetatable(bindings.ResultsType) // the same table each time
	self := func(L *lua.LState) *fakeStream { return L.CheckUserData(1).Value.(*fakeStream) }
	next := L.NewFunction(func(L *lua.LState) int {
		f := self(L)
		switch {
		case f.read < len(f.objects):
			L.Push(f.objects[f.read])
			f.read++
		case f.fail != nil:
			return runtime.Raise(L, f.fail)
		default:
			L.Push(lua.LNil)
		}
		return 1
	})
	closeFn := L.NewFunction(func(L *lua.LState) int { self(L).closed = true; return 0 })
	L.SetField(mt, "__index", L.NewFunction(func(L *lua.LState) int {
		f := self(L)
		switch key := L.CheckString(2); key {
		case "next":
			L.Push(next)
		case "close":
			L.Push(closeFn)
		case "cmdlet":
			L.Push(lua.LString(f.cmdlet))
		case "more":
			L.Push(lua.LBool(f.read < len(f.objects) || f.fail != nil))
		case "columns":
			if f.columns == nil {
				L.Push(lua.LNil)
				break
			}
			t := runtime.NewArray(L, len(f.columns))
			for _, c := range f.columns {
				t.Append(lua.LString(c))
			}
			L.Push(t)
		default:
			L.ArgError(2, "no field "+key)
		}
		return 1
	}))
	ud := L.NewUserData()
	ud.Value = f
	ud.Metatable = mt
	return ud
}

// mailboxes makes n mailbox-like records with 20 keys, two of them
// nested, their values long enough that a terminal cannot show them all.
func mailboxes(L *lua.LState, n int) []*lua.LTable {
	rows := make([]*lua.LTable, n)
	for i := range rows {
		name := fmt.Sprintf("user%02d", i+1)
		t := L.NewTable()
		for k, v := range map[string]string{
			"Name": name, "Alias": name, "DisplayName": "User " + name, "Identity": name,
			"PrimarySmtpAddress": name + "@contoso.onmicrosoft.com", "UserPrincipalName": name + "@contoso.com",
			"RecipientTypeDetails": "UserMailbox", "RecipientType": "UserMailbox", "Guid": "9b8c7d6e-0000-4000-8000-00000000000" + fmt.Sprint(i%10),
			"Database": "EURPR01DG123-db045", "ProhibitSendQuota": "99 GB (106,300,440,576 bytes)", "Office": "Building 4",
			"City": "Redmond", "Department": "Sales and Marketing", "ArchiveStatus": "None", "HiddenFromAddressListsEnabled": "False",
			"WhenCreated": "2024-01-02T03:04:05Z", "ExchangeVersion": "0.20 (15.0.0.0)",
		} {
			t.RawSetString(k, lua.LString(v))
		}
		addrs := runtime.NewArray(L, 2)
		addrs.Append(lua.LString("SMTP:" + name + "@contoso.com"))
		addrs.Append(lua.LString("smtp:" + name + "@contoso.onmicrosoft.com"))
		t.RawSetString("EmailAddresses", addrs)
		quota := L.NewTable()
		quota.RawSetString("Bytes", lua.LNumber(106300440576))
		t.RawSetString("Quota", quota)
		rows[i] = t
	}
	return rows
}

// show runs d.Show in a protected call, as the REPL does, and returns
// what it printed and the error it raised.
func show(L *lua.LState, d Display, values ...lua.LValue) (string, error) {
	var b strings.Builder
	d.Out = &b
	err := L.CallByParam(lua.P{Fn: L.NewFunction(func(L *lua.LState) int {
		d.Show(L, values)
		return 0
	}), Protect: true})
	return b.String(), err
}

// message is the message of an error Show raised with runtime.Raise.
func message(err error) string {
	var api *lua.ApiError
	if errors.As(err, &api) {
		if e := runtime.GoError(api.Object); e != nil {
			return e.Error()
		}
	}
	return err.Error()
}

func mustShow(t *testing.T, L *lua.LState, d Display, values ...lua.LValue) string {
	t.Helper()
	got, err := show(L, d, values...)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// tableHeader returns the column names of the first table in s.
func tableHeader(s string) []string {
	for line := range strings.SplitSeq(s, "\n") {
		if strings.HasPrefix(line, "│") {
			var cols []string
			for _, c := range strings.Split(strings.Trim(line, "│"), "│") {
				cols = append(cols, strings.TrimSpace(c))
			}
			return cols
		}
	}
	return nil
}

// tableRows counts the data rows of the tables in s: lines between
// borders after the header line.
func tableRows(s string) int {
	n := 0
	for line := range strings.SplitSeq(s, "\n") {
		if strings.HasPrefix(line, "│") {
			n++
		}
	}
	return n - strings.Count(s, "├") // one header line per table
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}

func TestShowStream(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	f := &fakeStream{objects: mailboxes(L, 25), cmdlet: "Get-Mailbox"}
	var b strings.Builder
	d := &Display{Width: 120, Out: &b}
	if err := L.CallByParam(lua.P{Fn: L.NewFunction(func(L *lua.LState) int {
		d.Show(L, []lua.LValue{f.userdata(L)})
		return 0
	}), Protect: true}); err != nil {
		t.Fatal(err)
	}
	got := b.String()
	if h, want := tableHeader(got), []string{"Name", "Alias", "RecipientTypeDetails", "PrimarySmtpAddress"}; !slices.Equal(h, want) {
		t.Errorf("header %q, want Get-Mailbox's view %q:\n%s", h, want, got)
	}
	if n := tableRows(got); n != 20 {
		t.Errorf("%d rows, want MaxRows' default 20:\n%s", n, got)
	}
	if last := lastLine(got); last != moreObjects {
		t.Errorf("last line %q, want %q", last, moreObjects)
	}
	// The stream is left open: nothing read is lost, and More shows the
	// rest, without the note once it is all shown.
	if f.read != 20 || f.closed {
		t.Errorf("read %d objects, closed %v; want 20 and open", f.read, f.closed)
	}
	b.Reset()
	if err := L.CallByParam(lua.P{Fn: L.NewFunction(func(L *lua.LState) int {
		d.More(L)
		return 0
	}), Protect: true}); err != nil {
		t.Fatal(err)
	}
	more := b.String()
	if n := tableRows(more); n != 5 || strings.Contains(more, moreObjects) || !strings.Contains(more, "user25") {
		t.Errorf(".more: %d rows, want the last 5 and no note:\n%s", n, more)
	}
}

// TestShowCutsLongOutput: a value longer than MaxLines is cut, with the
// number of lines left.
func TestShowCutsLongOutput(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	long := L.NewTable()
	for i := range 200 {
		long.RawSetString(fmt.Sprintf("Property%03d", i), lua.LString("value"))
	}
	got := mustShow(t, L, Display{MaxLines: 30}, long)
	lines := strings.Split(strings.TrimRight(got, "\n"), "\n")
	if len(lines) != 31 || !strings.HasPrefix(lines[30], ellipsis+" 170 more lines") {
		t.Errorf("%d lines, last %q", len(lines), lines[len(lines)-1])
	}
}

func TestShowStreamEnds(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	// A wrapper shows its server cmdlet's view; :show's columns win.
	f := &fakeStream{objects: mailboxes(L, 3), cmdlet: "Get-EXOMailbox"}
	g := &fakeStream{objects: mailboxes(L, 3), cmdlet: "Get-Mailbox", columns: []string{"DisplayName", "City"}}
	got := mustShow(t, L, Display{Width: 120, MaxRows: 3}, f.userdata(L), g.userdata(L))
	tables := strings.SplitAfter(got, "┘\n")
	if len(tables) != 3 || tables[2] != "" {
		t.Fatalf("want two tables and nothing after them:\n%s", got)
	}
	if h := tableHeader(tables[0]); !slices.Equal(h, []string{"Name", "Alias", "RecipientTypeDetails", "PrimarySmtpAddress"}) {
		t.Errorf("Get-EXOMailbox header %q", h)
	}
	if h := tableHeader(tables[1]); !slices.Equal(h, []string{"DisplayName", "City"}) {
		t.Errorf(":show header %q, want DisplayName, City", h)
	}
	if tableRows(got) != 6 || f.closed || f.read != 3 {
		t.Errorf("%d rows, closed %v, read %d: want every object of streams that end within MaxRows", tableRows(got), f.closed, f.read)
	}
	if got := mustShow(t, L, Display{}, (&fakeStream{cmdlet: "Get-Mailbox"}).userdata(L)); got != "(no objects)\n" {
		t.Errorf("empty stream: got %q", got)
	}
}

// A failed page raises in the chunk, as it would in a loop.
func TestShowStreamError(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	f := &fakeStream{objects: mailboxes(L, 2), cmdlet: "Get-Mailbox", fail: errors.New("page 2: throttled")}
	_, err := show(L, Display{}, f.userdata(L))
	if err == nil || !strings.Contains(message(err), "page 2: throttled") {
		t.Errorf("got %v, want the stream's error", err)
	}
}

func TestShowList(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	list := runtime.NewArray(L, 25)
	for _, r := range mailboxes(L, 25) {
		list.Append(r)
	}
	got := mustShow(t, L, Display{Width: 100}, list)
	h := tableHeader(got)
	// The identity keys come first, as many as fit at their headers'
	// width; no nested key is a column.
	if len(h) < 3 || !slices.Equal(h[:3], []string{"Name", "DisplayName", "Identity"}) || slices.Contains(h, "EmailAddresses") {
		t.Errorf("header %q, want Name, DisplayName, Identity first and no nested key:\n%s", h, got)
	}
	if n := tableRows(got); n != 20 {
		t.Errorf("%d rows, want 20:\n%s", n, got)
	}
	notes := fmt.Sprintf("┘\n"+moreColumns+"\n"+moreRows+"\n", len(h), 20, 5)
	if !strings.HasSuffix(got, notes) {
		t.Errorf("got:\n%s\nwant it to end with:\n%s", got, notes)
	}
	// A narrower terminal wraps the notes.
	got = mustShow(t, L, Display{Width: 50}, list)
	if want := "(4 of 20 columns; :show(...) or out.print(t,\n{columns = {...}}) for others)\n"; !strings.Contains(got, want) {
		t.Errorf("width 50: want the note wrapped as %q:\n%s", want, got)
	}

	// Few keys: every one is a column, identity keys first.
	small := runtime.NewArray(L, 2)
	for _, name := range []string{"a", "b"} {
		r := L.NewTable()
		r.RawSetString("Size", lua.LNumber(len(name)))
		r.RawSetString("Name", lua.LString(name))
		r.RawSetString("Tags", runtime.NewArray(L, 0))
		small.Append(r)
	}
	got = mustShow(t, L, Display{}, small)
	if h := tableHeader(got); !slices.Equal(h, []string{"Name", "Size", "Tags"}) {
		t.Errorf("small list header %q, want Name, Size, Tags:\n%s", h, got)
	}
	if !strings.HasSuffix(got, "┘\n") {
		t.Errorf("small list: a note where none is due:\n%s", got)
	}
}

func TestShowRecord(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	r := L.NewTable()
	r.RawSetString("Name", lua.LString("evil\x1b[31mred"))
	r.RawSetString("Count", lua.LNumber(3))
	emails := runtime.NewArray(L, 2)
	emails.Append(lua.LString("a@x"))
	emails.Append(lua.LString("b@x"))
	r.RawSetString("EmailAddresses", emails)
	nested := L.NewTable()
	nested.RawSetString("b", lua.LNumber(2))
	nested.RawSetString("a", lua.LString("one"))
	r.RawSetString("Quota", nested)
	got := mustShow(t, L, Display{}, r)
	want := "Count          : 3\n" +
		"EmailAddresses : {a@x, b@x}\n" +
		"Name           : evil\uFFFD[31mred\n" +
		"Quota          : { a = \"one\", b = 2 }\n"
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	// A long value is cut to the width.
	r.RawSetString("Name", lua.LString(strings.Repeat("x", 100)))
	got = mustShow(t, L, Display{Width: 40}, r)
	if line := strings.Split(got, "\n")[2]; line != "Name           : "+strings.Repeat("x", 22)+ellipsis {
		t.Errorf("long value: got %q", line)
	}
}

func TestShowPlain(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	arr := runtime.NewArray(L, 3)
	for _, n := range []int{3, 1, 2} {
		arr.Append(lua.LNumber(n))
	}
	r := L.NewTable()
	r.RawSetString("k", lua.LString("v"))
	got := mustShow(t, L, Display{}, lua.LNumber(2), lua.LString("x"), lua.LTrue, lua.LNil, arr, L.NewTable(), r, lua.LNumber(1))
	want := "2\t\"x\"\ttrue\tnil\t{ 3, 1, 2 }\t{}\t{ k = \"v\" }\t1\n"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	// The same record on a terminal too narrow for its literal is shown
	// one field a line.
	r.RawSetString("long", lua.LString(strings.Repeat("y", 30)))
	got = mustShow(t, L, Display{Width: 30}, r)
	if !strings.HasPrefix(got, "k    : v\nlong : yyy") {
		t.Errorf("narrow: got %q", got)
	}
}

// No line is wider than the terminal, and no header is cut, whatever the
// width.
func TestShowFitsWidth(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	rows := mailboxes(L, 25)
	list := runtime.NewArray(L, len(rows))
	for _, r := range rows {
		list.Append(r)
	}
	for width := 30; width <= 130; width++ {
		for _, v := range []lua.LValue{
			(&fakeStream{objects: rows, cmdlet: "Get-Mailbox"}).userdata(L),
			(&fakeStream{objects: rows, cmdlet: "Get-MailboxStatistics"}).userdata(L),
			list, rows[0],
		} {
			got := mustShow(t, L, Display{Width: width}, v)
			for line := range strings.SplitSeq(strings.TrimRight(got, "\n"), "\n") {
				if twwidth.Width(line) > width {
					t.Fatalf("width %d: line %q is %d wide:\n%s", width, line, twwidth.Width(line), got)
				}
			}
			for _, h := range tableHeader(got) {
				if strings.Contains(h, ellipsis) {
					t.Fatalf("width %d: header %q cut:\n%s", width, h, got)
				}
			}
		}
	}
}

func TestShowJSON(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	f := &fakeStream{objects: mailboxes(L, 25), cmdlet: "Get-Mailbox"}
	g := &fakeStream{objects: mailboxes(L, 2), cmdlet: "Get-Mailbox", columns: []string{"Name", "City"}}
	got := mustShow(t, L, Display{Format: "json"}, f.userdata(L), g.userdata(L), lua.LNumber(7))
	dec := json.NewDecoder(strings.NewReader(got))
	var all, chosen []map[string]any
	var seven int
	if err := dec.Decode(&all); err != nil {
		t.Fatalf("%v in:\n%s", err, got)
	}
	if err := dec.Decode(&chosen); err != nil {
		t.Fatal(err)
	}
	if err := dec.Decode(&seven); err != nil {
		t.Fatal(err)
	}
	// json reads the whole stream, every key of every object.
	if len(all) != 25 || len(all[24]) != 20 || all[24]["Name"] != "user25" || f.read != 25 {
		t.Errorf("got %d objects (the last with %d keys), read %d; want all 25 with 20 keys", len(all), len(all[len(all)-1]), f.read)
	}
	if len(chosen) != 2 || len(chosen[0]) != 2 || chosen[0]["City"] != "Redmond" {
		t.Errorf(":show's columns: got %v", chosen)
	}
	if seven != 7 || dec.More() {
		t.Errorf("want the number 7 as the last document")
	}
	if _, err := show(L, Display{Format: "json"}, L.NewFunction(func(*lua.LState) int { return 0 })); err == nil || !strings.Contains(message(err), "display as json") {
		t.Errorf("a function as json: got %v, want an error", err)
	}
}

func TestShowCSV(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	f := &fakeStream{objects: mailboxes(L, 25), cmdlet: "Get-Mailbox"}
	got := mustShow(t, L, Display{Format: "csv"}, f.userdata(L))
	recs, err := csv.NewReader(strings.NewReader(got)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 26 || !slices.Equal(recs[0], []string{"Name", "Alias", "RecipientTypeDetails", "PrimarySmtpAddress"}) || recs[25][0] != "user25" {
		t.Errorf("stream: want the view's header and all 25 objects, got %d records, header %q", len(recs), recs[0])
	}
	list := runtime.NewArray(L, 2)
	for _, r := range mailboxes(L, 2) {
		list.Append(r)
	}
	recs, err = csv.NewReader(strings.NewReader(mustShow(t, L, Display{Format: "csv"}, list))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 || len(recs[0]) != 20 || recs[0][0] != "Alias" || recs[1][slices.Index(recs[0], "EmailAddresses")] != "SMTP:user01@contoso.com, smtp:user01@contoso.onmicrosoft.com" {
		t.Errorf("list: want every key as a column, sorted; got %q", recs)
	}
}
