package time_test

import (
	"context"
	"fmt"
	"os"
	gotime "time"

	"github.com/exorun/exorun/runtime"
	exotime "github.com/exorun/exorun/stdlib/time"
)

func ExampleModule() {
	clock := func() gotime.Time { return gotime.Date(2024, 5, 1, 12, 0, 0, 0, gotime.UTC) }
	s := runtime.New(runtime.Options{
		Stdout:  os.Stdout,
		Modules: []runtime.Module{exotime.Module(clock)},
	})
	defer s.Close()
	sc, _ := runtime.Compile("example.lua", []byte(`
		local time = require("time")
		print(time.now())
		print(time.parse("/Date(1656525423000)/"))
		print(time.format("2022-06-29T17:57:03.0000000+00:00", "datetime"))
		print(time.add(time.now(), "-7d"))
		print(time.duration("1h30m"), time.days_between("2024-01-01", time.now()))
	`))
	if err := s.Run(context.Background(), sc); err != nil {
		fmt.Println(err)
	}
	// Output:
	// 2024-05-01T12:00:00Z
	// 2022-06-29T17:57:03Z
	// 2022-06-29 17:57:03
	// 2024-04-24T12:00:00Z
	// 5400	121
}
