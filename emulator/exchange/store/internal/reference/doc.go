// Package reference holds the parameter declarations of the cmdlets the
// emulated tenant models, as published in Microsoft's cmdlet reference, so
// the store can refuse a parameter the real cmdlet does not have with the
// same words PowerShell uses, and tell apart a real parameter the emulator
// does not model.
//
// table.go is generated from ../shared/reference/exo-cmdlets.json by
// gen/main.go (see the go:generate line in reference.go); only cmdlets the
// store models are kept, which keeps the binary small.
package reference
