package out_test

import (
	"context"
	"fmt"
	"os"

	"github.com/exorun/exorun/runtime"
	"github.com/exorun/exorun/stdlib/out"
)

func Example() {
	s := runtime.New(runtime.Options{Modules: []runtime.Module{
		out.Module(out.Options{Stdout: os.Stdout, Width: 50}),
	}})
	defer s.Close()
	sc, err := runtime.Compile("example.lua", []byte(`
local out = require("out")
local rows = {
	{Name = "alice", PrimarySmtpAddress = "alice@contoso.com", SizeGB = 12.5},
	{Name = "bob", PrimarySmtpAddress = "bob.with.a.long.address@contoso.com", SizeGB = 3},
}
out.print(rows, {columns = {"Name", "PrimarySmtpAddress", "SizeGB"}, title = "Mailboxes"})
out.csv(rows, {columns = {"Name", "SizeGB"}})
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := s.Run(context.Background(), sc); err != nil {
		fmt.Println(err)
	}
	// Output:
	// Mailboxes
	// ┌───────┬───────────────────────────────┬────────┐
	// │ Name  │ PrimarySmtpAddress            │ SizeGB │
	// ├───────┼───────────────────────────────┼────────┤
	// │ alice │ alice@contoso.com             │   12.5 │
	// │ bob   │ bob.with.a.long.address@cont… │      3 │
	// └───────┴───────────────────────────────┴────────┘
	// (2 rows)
	// Name,SizeGB
	// alice,12.5
	// bob,3
}
