package catalog

// Lookup finds a cmdlet by name, ignoring case ("get-mailbox"). It does
// not allocate for names up to 64 bytes.
func Lookup(name string) (*Cmdlet, bool) {
	var buf [64]byte
	c, ok := loaded().byName[string(appendLower(buf[:0], name))]
	return c, ok
}

// BySnakeName finds a cmdlet by its Lua name ("get_mailbox_permission"),
// ignoring case.
func BySnakeName(snake string) (*Cmdlet, bool) {
	var buf [64]byte
	c, ok := loaded().bySnake[string(appendLower(buf[:0], snake))]
	return c, ok
}

// All returns every cmdlet of the catalog sorted by name,
// case-insensitively. The slice is the caller's; the cmdlets are shared.
func All() []*Cmdlet {
	ix := loaded()
	out := make([]*Cmdlet, len(ix.cmdlets))
	copy(out, ix.cmdlets)
	return out
}

// Known reports whether cmdlet (any case) is a cmdlet service itself runs.
// The emulator uses it to tell a real cmdlet it does not model (a clear
// "not modelled" error) from a name that is no cmdlet at all (the
// service's 403). Get-EXO* wrappers are not Known: the service runs the
// cmdlet they wrap, never them.
func Known(service Service, cmdlet string) bool {
	c, ok := Lookup(cmdlet)
	return ok && c.WrapperOf == "" && c.Runs(service)
}

func appendLower(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		dst = append(dst, lowerASCII(s[i]))
	}
	return dst
}
