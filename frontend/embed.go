// Package frontend embeds the built browser UI (frontend/dist, made by
// `npm run build`) into the threadmap binary.
package frontend

import (
	"embed"
	"io/fs"
)

//go:embed all:dist
var dist embed.FS

// Dist is the built UI's file tree (index.html at its root). When the UI
// has not been built it holds only a placeholder and Built reports false.
func Dist() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err) // the embed pattern guarantees the folder
	}
	return sub
}

// Built reports whether index.html is present.
func Built() bool {
	_, err := fs.Stat(Dist(), "index.html")
	return err == nil
}
