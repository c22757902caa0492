package params_test

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/exorun/exorun/internal/exitcode"
	"github.com/exorun/exorun/runtime"
	"github.com/exorun/exorun/stdlib/params"
)

func ExampleModule() {
	// exorun run audit.lua --param Group=Sales --param days=7 report.csv
	in := params.Input{
		Named: map[string]string{"Group": "Sales", "days": "7"},
		Args:  []string{"report.csv"},
	}
	s := runtime.New(runtime.Options{
		Stdout:  os.Stdout,
		Modules: []runtime.Module{params.Module(in)},
	})
	defer s.Close()
	sc, _ := runtime.Compile("audit.lua", []byte(`
		local params = require("params")
		local p = params.declare{
			group = {required = true, help = "the group to audit"},
			days  = {type = "integer", default = 30},
			out   = {position = 1, default = "audit.csv"},
			owner = {required = true},
		}
	`))
	err := s.Run(context.Background(), sc)
	var se *runtime.ScriptError
	if errors.As(err, &se) {
		fmt.Println(se.Message)
	}
	fmt.Println("exit code:", exitcode.Of(err))
	// Output:
	// audit.lua:3: params.declare: missing required parameter "owner" (give --param owner=VALUE)
	// exit code: 2
}
