package runtime

import (
	"context"

	lua "github.com/yuin/gopher-lua"
)

// runStopped returns why the running script must stop (its context's
// cause), or nil while it may go on. Long-running Go functions, such as the
// pattern matcher, call it now and then, since the VM checks the context
// only between Lua instructions.
func runStopped(L *lua.LState) error {
	if ctx := L.Context(); ctx != nil {
		if ctx.Err() != nil {
			return context.Cause(ctx)
		}
	}
	return nil
}
