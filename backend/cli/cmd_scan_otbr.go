package cli

import (
	"github.com/threadmap/threadmap/thread/otbr"
	"github.com/threadmap/threadmap/thread/topology"
)

// otbrSource is the OTBR REST source for one --otbr URL. The generation
// (legacy /diagnostics or the JSON:API, with or without the 2026 renames)
// is detected; THREADMAP_OTBR_DIALECT (legacy, jsonapi, jsonapi-2026)
// forces one.
func otbrSource(env *Env, baseURL string) (topology.Source, error) {
	var opts otbr.Options
	if env.Getenv != nil {
		if d := env.Getenv("THREADMAP_OTBR_DIALECT"); d != "" {
			dialect, err := otbr.ParseDialect(d)
			if err != nil {
				return nil, usagef("%v", err)
			}
			opts.Dialect = dialect
		}
	}
	src, err := otbr.NewSource(baseURL, opts)
	if err != nil {
		return nil, usagef("scan --otbr: %v", err)
	}
	return src, nil
}
