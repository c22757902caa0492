//go:build linux

package golden

import (
	"os"
	"syscall"
)

// peakRSS is the most resident memory a finished process used; Linux
// reports it in KiB.
func peakRSS(ps *os.ProcessState) (int64, bool) {
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0, false
	}
	return ru.Maxrss << 10, true
}
