package csv_test

import (
	"context"
	"fmt"
	"os"

	"github.com/exorun/exorun/runtime"
	"github.com/exorun/exorun/stdlib/csv"
)

func Example() {
	src := `
local csv = require("csv")
local rows = csv.decode("upn,size\nzoe@contoso.com,3\n\"sales, eu@contoso.com\",12\n")
print(#rows, rows[2].upn, rows[2].size)
print(csv.encode({{name = "Zoë", quota = 2.5}, {name = 'R&D "EU"', quota = 100}}, {"name", "quota"}))
csv.write({{b = 2, a = 1}})
`
	sc, err := runtime.Compile("example.lua", []byte(src))
	if err != nil {
		fmt.Println(err)
		return
	}
	mod := csv.Module(csv.Options{Stdout: os.Stdout})
	s := runtime.New(runtime.Options{Stdout: os.Stdout, Modules: []runtime.Module{mod}})
	defer s.Close()
	if err := s.Run(context.Background(), sc); err != nil {
		fmt.Println(err)
	}
	// Output:
	// 2	sales, eu@contoso.com	12
	// name,quota
	// Zoë,2.5
	// "R&D ""EU""",100
	//
	// a,b
	// 1,2
}
