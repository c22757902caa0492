package runtime

import (
	lua "github.com/yuin/gopher-lua"
)

// runStopped returns why the running script must stop, or nil while it
// may go on. Long-running Go functions, such as the pattern matcher, call
// it now and then, since the VM checks only between Lua instructions.
func runStopped(L *lua.LState) error {
	if c, ok := L.Context().(*vmContext); ok {
		if g := c.guard(); g != nil {
			return g.stopCause()
		}
	}
	return nil
}
