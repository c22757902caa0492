//go:build !windows

package cli

import "os"

// enableEscapes reports whether f, a terminal, takes ANSI escape
// sequences: terminals outside Windows do.
func enableEscapes(*os.File) bool { return true }
