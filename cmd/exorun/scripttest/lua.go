package scripttest

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path/filepath"
	"slices"

	lua "github.com/yuin/gopher-lua"

	"github.com/exorun/exorun/emulator"
	"github.com/exorun/exorun/runtime"
)

// runOptions are the keys of run()'s third argument.
var runOptions = []string{"args", "what_if", "output", "role"}

// runScript is run(script [, params [, options]]): it runs the script
// under test through `exorun run` against the test's tenant and returns
// {code, stdout, stderr, transcript, files, cmdlets, writes}. script is
// relative to the test file's folder; params are --param values; options
// are args (a list of more flags for exorun run), what_if, output, and
// role: the app's directory role for this run only.
func (t *testRun) runScript(L *lua.LState) int {
	script := L.CheckString(1)
	params := L.OptTable(2, L.NewTable())
	opts := runtime.OptionsArg(L, "run", 3, runOptions...)
	t.runs++
	out := filepath.Join(t.scratch, fmt.Sprintf("run%d", t.runs))
	args := []string{"--out", out}
	for _, k := range runtime.SortedKeys(params) {
		v := params.RawGetString(k)
		if v.Type() == lua.LTTable || v.Type() == lua.LTFunction {
			L.ArgError(2, fmt.Sprintf("parameter %q: want a string, number or boolean", k))
		}
		args = append(args, "--param", k+"="+lua.LVAsString(L.ToStringMeta(v)))
	}
	if opts != nil {
		if lua.LVAsBool(opts.RawGetString("what_if")) {
			args = append(args, "--what-if")
		}
		if o := opts.RawGetString("output"); o != lua.LNil {
			args = append(args, "--output", lua.LVAsString(o))
		}
		if extra, ok := opts.RawGetString("args").(*lua.LTable); ok {
			extra.ForEach(func(_, v lua.LValue) { args = append(args, lua.LVAsString(v)) })
		}
	}
	args = append(args, filepath.Join(testDir(t.name), filepath.FromSlash(script)))
	if opts != nil {
		if role := opts.RawGetString("role"); role != lua.LNil {
			restore, err := t.withRole(lua.LVAsString(role))
			if err != nil {
				L.ArgError(3, err.Error())
			}
			defer restore()
		}
	}

	before, err := t.em.Calls(t.ep.Organization)
	if err != nil {
		runtime.Raise(L, err)
	}
	res := t.o.Exec(runtime.Context(L), ExecRun{
		Endpoints: t.ep, Args: args, Now: t.now,
		RunID: fmt.Sprintf("00000000-0000-4000-8000-%012d", t.runs),
	})
	if res.Code != 0 {
		// Shown if the test fails: why the run did.
		file, line := t.where(L)
		fmt.Fprintf(&t.output, "%s:%d: run(%q) exited %d; its stderr:\n%s", file, line, script, res.Code, withNewline(res.Stderr))
	}
	after, err := t.em.Calls(t.ep.Organization)
	if err != nil {
		runtime.Raise(L, err)
	}
	files, err := t.readFiles(out)
	if err != nil {
		runtime.Raise(L, fmt.Errorf("run: files the script wrote: %w", err))
	}

	r := L.NewTable()
	r.RawSetString("code", lua.LNumber(res.Code))
	r.RawSetString("stdout", lua.LString(res.Stdout))
	r.RawSetString("stderr", lua.LString(res.Stderr))
	r.RawSetString("transcript", lua.LString(transcript(res)))
	ft := L.NewTable()
	for _, name := range slices.Sorted(maps.Keys(files)) {
		ft.RawSetString(name, lua.LString(files[name]))
	}
	r.RawSetString("files", ft)
	cmdlets, writes := runtime.NewArray(L, 0), runtime.NewArray(L, 0)
	for _, c := range after[len(before):] {
		row := callTable(L, c)
		cmdlets.Append(row)
		if c.Write {
			writes.Append(row)
		}
	}
	r.RawSetString("cmdlets", cmdlets)
	r.RawSetString("writes", writes)
	L.Push(r)
	return 1
}

// transcript is a run as golden files hold it: stdout, then, when the
// run wrote to stderr or failed, "-- stderr --", stderr and
// "-- exit N --".
func transcript(r ExecResult) string {
	if r.Stderr == "" && r.Code == 0 {
		return r.Stdout
	}
	return fmt.Sprintf("%s-- stderr --\n%s-- exit %d --\n", r.Stdout, r.Stderr, r.Code)
}

// withRole gives the app role for one run() and returns what puts the
// test's roles back.
func (t *testRun) withRole(role string) (restore func(), err error) {
	if err := t.em.SetDemoRoles(role); err != nil {
		return nil, fmt.Errorf("role %q: %w", role, err)
	}
	return func() { _ = t.em.SetDemoRoles(t.roles...) }, nil
}

// callTable is a call as run() lists it: {cmdlet = "Set-Mailbox",
// Identity = "LeeG", ...}, the parameters as the script sent them.
func callTable(L *lua.LState, c emulator.Call) *lua.LTable {
	row := L.CreateTable(0, len(c.Parameters)+1)
	for k, v := range c.Parameters {
		row.RawSetString(k, runtime.ToLua(L, v))
	}
	row.RawSetString("cmdlet", lua.LString(c.Cmdlet))
	return row
}

// readFiles reads what a run wrote under dir, by slash path.
func (t *testRun) readFiles(dir string) (map[string]string, error) {
	files := map[string]string{}
	var walk func(rel string) error
	walk = func(rel string) error {
		entries, err := t.o.Files.ReadDir(filepath.Join(dir, rel))
		if errors.Is(err, fs.ErrNotExist) && rel == "" {
			return nil // the run wrote nothing
		}
		if err != nil {
			return err
		}
		for _, e := range entries {
			p := filepath.Join(rel, e.Name())
			if e.IsDir() {
				if err := walk(p); err != nil {
					return err
				}
				continue
			}
			data, err := t.o.Files.ReadFile(filepath.Join(dir, p))
			if err != nil {
				return err
			}
			files[filepath.ToSlash(p)] = string(data)
		}
		return nil
	}
	return files, walk("")
}

// tenantTable is the test's view of its tenant: tenant.organization,
// tenant.get(cmdlet [, params]) for every object a read cmdlet returns,
// and tenant.mailbox(identity), one mailbox or nil.
func (t *testRun) tenantTable(L *lua.LState) *lua.LTable {
	tt := L.NewTable()
	tt.RawSetString("organization", lua.LString(t.ep.Organization))
	get := func(L *lua.LState, cmdlet string, params map[string]any) []emulator.Object {
		objs, err := t.em.Query(runtime.Context(L), t.ep.Organization, cmdlet, params)
		if err != nil {
			runtime.Raise(L, fmt.Errorf("tenant.get: %w", err))
		}
		return objs
	}
	tt.RawSetString("get", L.NewFunction(func(L *lua.LState) int {
		cmdlet := L.CheckString(1)
		params := map[string]any{}
		if p := L.OptTable(2, nil); p != nil {
			v, err := runtime.FromLua(p)
			if err != nil {
				L.ArgError(2, err.Error())
			}
			if m, ok := v.(map[string]any); ok {
				params = m
			}
		}
		objs := get(L, cmdlet, params)
		list := runtime.NewArray(L, len(objs))
		for _, o := range objs {
			list.Append(objectTable(L, o))
		}
		L.Push(list)
		return 1
	}))
	tt.RawSetString("mailbox", L.NewFunction(func(L *lua.LState) int {
		id := L.CheckString(1)
		objs, err := t.em.Query(runtime.Context(L), t.ep.Organization, "Get-Mailbox", map[string]any{"Identity": id})
		if err != nil && !emulator.IsNotFound(err) {
			runtime.Raise(L, fmt.Errorf("tenant.mailbox: %w", err))
		}
		if len(objs) == 0 {
			L.Push(lua.LNil)
			return 1
		}
		L.Push(objectTable(L, objs[0]))
		return 1
	}))
	return tt
}

// objectTable is a cmdlet's output object as a Lua table: GUIDs and
// times as strings, collections as lists, nested objects as tables.
func objectTable(L *lua.LState, o emulator.Object) *lua.LTable {
	t := L.CreateTable(0, len(o))
	for _, p := range o {
		t.RawSetString(p.Name, propValue(L, p.Value))
	}
	return t
}

func propValue(L *lua.LState, v any) lua.LValue {
	switch x := v.(type) {
	case emulator.Object:
		return objectTable(L, x)
	case []emulator.Object:
		list := runtime.NewArray(L, len(x))
		for _, o := range x {
			list.Append(objectTable(L, o))
		}
		return list
	}
	return runtime.ToLua(L, v)
}
