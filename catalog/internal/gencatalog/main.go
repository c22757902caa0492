// Command gencatalog writes cmdlets_gen.txt, the catalog's embedded data,
// from the shared cmdlet reference (../shared/reference/exo-cmdlets.json),
// so that building exorun never needs the reference. Run it with
// go generate ./catalog.
package main

import (
	"fmt"
	"log"
	"os"

	"github.com/exorun/exorun/catalog/internal/refgen"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("gencatalog: ")
	if len(os.Args) != 3 {
		log.Fatal("usage: gencatalog REFERENCE.json OUT.txt")
	}
	ref, err := os.ReadFile(os.Args[1])
	if err != nil {
		log.Fatal(err)
	}
	out, notes, err := refgen.Generate(ref)
	if err != nil {
		log.Fatalf("%s: %v", os.Args[1], err)
	}
	for _, n := range notes {
		fmt.Fprintln(os.Stderr, "gencatalog: note:", n)
	}
	if err := os.WriteFile(os.Args[2], out, 0o644); err != nil {
		log.Fatal(err)
	}
}
