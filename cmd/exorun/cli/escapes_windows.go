package cli

import (
	"os"

	"golang.org/x/sys/windows"
)

// enableEscapes turns on the console's virtual terminal processing, so
// "\r\x1b[K" erases the progress line instead of printing as text; false
// when the console refuses (before Windows 10), and the line is not shown.
func enableEscapes(f *os.File) bool {
	h := windows.Handle(f.Fd())
	var mode uint32
	if err := windows.GetConsoleMode(h, &mode); err != nil {
		return false
	}
	if mode&windows.ENABLE_VIRTUAL_TERMINAL_PROCESSING != 0 {
		return true
	}
	return windows.SetConsoleMode(h, mode|windows.ENABLE_VIRTUAL_TERMINAL_PROCESSING) == nil
}
