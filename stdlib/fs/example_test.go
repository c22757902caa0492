package fs_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/exorun/exorun/runtime"
	"github.com/exorun/exorun/stdlib/fs"
)

func ExampleModule() {
	scriptDir, _ := os.MkdirTemp("", "script")
	defer os.RemoveAll(scriptDir)
	outDir, _ := os.MkdirTemp("", "out")
	defer os.RemoveAll(outDir)
	_ = os.WriteFile(filepath.Join(scriptDir, "groups.txt"), []byte("sales\nhr\n"), 0o644)

	scriptRoot, _ := os.OpenRoot(scriptDir)
	defer scriptRoot.Close()
	outRoot, _ := os.OpenRoot(outDir)
	defer outRoot.Close()

	s := runtime.New(runtime.Options{
		Stdout: os.Stdout,
		Modules: []runtime.Module{
			fs.Module(runtime.Folders{Script: runtime.RootDir(scriptRoot), Out: runtime.RootDir(outRoot)}),
		},
	})
	defer s.Close()
	sc, _ := runtime.Compile("example.lua", []byte(`
		local fs = require("fs")
		for group in fs.read("groups.txt"):gmatch("[^\n]+") do
			fs.append("report/groups.csv", group .. ",checked\n")
		end
		print(table.concat(fs.list(".", {from = "out"}), " "))
		local ok, err = pcall(fs.read, "../secret.txt")
		print(err)
	`))
	if err := s.Run(context.Background(), sc); err != nil {
		fmt.Println(err)
	}
	data, _ := os.ReadFile(filepath.Join(outDir, "report", "groups.csv"))
	fmt.Print(string(data))
	// Output:
	// report/
	// fs.read: "../secret.txt" leaves the script's folder: ".." may not climb above it
	// sales,checked
	// hr,checked
}
