// Command exorun runs Lua scripts that administer Exchange Online unattended.
package main

import (
	"os"

	"github.com/exorun/exorun/cmd/exorun/cli"
)

func main() {
	os.Exit(cli.Main(cli.OSEnv()))
}
