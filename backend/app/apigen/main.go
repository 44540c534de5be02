// Command apigen writes the API's generated files: the OpenAPI component
// schemas the server embeds and the UI's TypeScript types, from the Go
// types (backend/app.APITypes). Run by go generate ./backend/app.
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/threadmap/threadmap/backend/app"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "apigen:", err)
		os.Exit(1)
	}
}

func run() error {
	wd, err := os.Getwd()
	if err != nil {
		return err
	}
	root, err := app.ModuleRoot(wd)
	if err != nil {
		return err
	}
	files, err := app.GenerateAPIFiles(root)
	if err != nil {
		return err
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(root, filepath.FromSlash(name)), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}
