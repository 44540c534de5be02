package capped

import (
	"io/fs"
	"path/filepath"
	"sort"
	"strings"
)

// FilesIn lists the files below dir whose name ends in ext (any case, e.g.
// ".json"), sorted: the inputs of an importer given a folder.
func FilesIn(dir, ext string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.EqualFold(filepath.Ext(p), ext) {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	return files, nil
}
