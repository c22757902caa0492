package cli

import (
	"testing"

	"github.com/exorun/exorun/emulator/emulatortest"
)

func TestMain(m *testing.M) { emulatortest.Main(m) }
