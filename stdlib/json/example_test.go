package json_test

import (
	"context"
	"fmt"
	"os"

	"github.com/exorun/exorun/runtime"
	"github.com/exorun/exorun/stdlib/json"
)

func Example() {
	src := `
local json = require("json")
print(json.encode({name = "Sales", size = 3, ratio = 2.5, members = json.array(), tags = {}}))
local g = json.decode('{"owners": ["a@contoso.com", "b@contoso.com"], "hidden": false}')
print(#g.owners, g.owners[2], g.hidden)
print(json.encode({ok = true}, {indent = true}))
`
	sc, err := runtime.Compile("example.lua", []byte(src))
	if err != nil {
		fmt.Println(err)
		return
	}
	s := runtime.New(runtime.Options{Stdout: os.Stdout, Modules: []runtime.Module{json.Module()}})
	defer s.Close()
	if err := s.Run(context.Background(), sc); err != nil {
		fmt.Println(err)
	}
	// Output:
	// {"members":[],"name":"Sales","ratio":2.5,"size":3,"tags":{}}
	// 2	b@contoso.com	false
	// {
	//   "ok": true
	// }
}
