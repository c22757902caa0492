package checks_test

import (
	"context"
	"fmt"
	"os"

	"github.com/exorun/exorun/runtime"
	"github.com/exorun/exorun/stdlib/checks"
)

func Example() {
	src := `
local forwarding = metric("external_forwarding")
threshold("external_forwarding", "count == 0")
threshold("checks", "rate >= 0.5")

for _, mbx in ipairs{
	{name = "adele", forwards_to = nil, owner = "it"},
	{name = "bob", forwards_to = "bob@gmail.com", owner = nil},
} do
	if mbx.forwards_to then forwarding:add() end
	check(mbx.owner, "mailbox has an owner")
end
print("checked", forwarding)
`
	sc, err := runtime.Compile("audit.lua", []byte(src))
	if err != nil {
		fmt.Println(err)
		return
	}
	r := checks.New()
	s := runtime.New(runtime.Options{Stdout: os.Stdout, Globals: r.Globals()})
	defer s.Close()
	if err := s.Run(context.Background(), sc); err != nil {
		fmt.Println(err)
	}
	res := r.Evaluate(context.Background(), s)
	for _, t := range res.Thresholds {
		fmt.Println(t)
	}
	fmt.Println("failed:", len(res.Failed()))
	// Output:
	// checked	metric external_forwarding
	// threshold external_forwarding failed: count == 0 (count = 1)
	// threshold checks passed: rate >= 0.5 (rate = 0.5)
	// failed: 1
}
