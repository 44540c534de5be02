package sources

import (
	"github.com/threadmap/threadmap/thread/commissioner"
	"github.com/threadmap/threadmap/thread/tmf"
)

// BorderAgent maps a mesh through the Border Agent at addr ("host:port"):
// a MeshCoP commissioner session keyed by cred per Collect, TMF carried by
// its UDP proxy (thread/commissioner). id is the commissioner ID the
// petition gives ("" for the default).
func BorderAgent(addr string, cred commissioner.Credential, id string, c Crawl) (*commissioner.Source, error) {
	return commissioner.NewSource(commissioner.SourceConfig{Addr: addr, Credential: cred,
		Session: commissioner.Config{CommissionerID: id},
		Crawl:   tmf.Config{Children: c.Children, Detail: c.Detail, Progress: c.Progress}})
}
