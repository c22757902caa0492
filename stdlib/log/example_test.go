package log_test

import (
	"context"
	"fmt"
	"os"

	"github.com/exorun/exorun/runtime"
	"github.com/exorun/exorun/stdlib/log"
)

func Example() {
	level, err := log.ParseLevel("info") // the --log-level flag
	if err != nil {
		fmt.Println(err)
		return
	}
	// The CLI writes to os.Stderr and keeps the time.
	logger := log.NewLogger(os.Stdout, log.Options{Level: level, Format: "text", OmitTime: true})
	s := runtime.New(runtime.Options{Modules: []runtime.Module{log.Module(logger)}})
	defer s.Close()
	sc, err := runtime.Compile("example.lua", []byte(`
local log = require("log")
local secret = log.secret("s3cr3t-value")
log.debug("not shown at info")
log.info("connecting", {tenant = "contoso.onmicrosoft.com", client_secret = log.reveal(secret)})
log.warn("quota almost reached", {mailbox = "alice@contoso.com", usedGB = 49.5, aliases = {"a@contoso.com", "alice@contoso.com"}})
log.error("sign-in failed", {detail = {code = 401, token = "eyJ0eXAi"}, with = secret})
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := s.Run(context.Background(), sc); err != nil {
		fmt.Println(err)
	}
	// Output:
	// level=INFO msg=connecting client_secret=[REDACTED] tenant=contoso.onmicrosoft.com
	// level=WARN msg="quota almost reached" aliases="a@contoso.com, alice@contoso.com" mailbox=alice@contoso.com usedGB=49.5
	// level=ERROR msg="sign-in failed" detail="{\"code\":401,\"token\":\"[REDACTED]\"}" with=[REDACTED]
}
