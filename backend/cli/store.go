package cli

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/threadmap/threadmap/store"
)

// dbPath is the store file a command reads: --db, else $THREADMAP_DB,
// else the default under the user's data dir.
func dbPath(env *Env, flagValue string) (string, error) {
	if flagValue != "" {
		return flagValue, nil
	}
	if env.Getenv != nil {
		if p := env.Getenv("THREADMAP_DB"); p != "" {
			return p, nil
		}
	}
	return store.DefaultPath()
}

// openStore opens the store at path, read-only unless write. A running
// serve holds bbolt's exclusive lock for its whole life, so a command
// does not wait long for it; it says to use the API instead (api: the
// endpoint that does the same).
func openStore(path string, write bool, api string) (*store.Store, error) {
	if _, err := os.Stat(path); err != nil && !write {
		return nil, fmt.Errorf("no snapshot store at %s (give --db FILE): %w", path, err)
	}
	st, err := store.Open(path, store.Options{ReadOnly: !write, Timeout: 300 * time.Millisecond})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("%s is in use by a running threadmap serve; use its API instead (%s)", path, api)
	}
	return st, err
}

// resolveNetwork finds the stored network --network names (a key, an ext
// PAN ID in any case, or name:NAME); "" is the only stored network.
func resolveNetwork(st *store.Store, spec string) (string, error) {
	key, err := st.ResolveNetwork(spec)
	if errors.Is(err, store.ErrNotFound) && spec != "" {
		return "", usagef("--network: %v", trimNotFound(err))
	}
	if err != nil {
		return "", fmt.Errorf("%v (give --network KEY or name:NAME)", trimNotFound(err))
	}
	return key, nil
}

// trimNotFound drops the ": not found" a wrapped store.ErrNotFound adds.
func trimNotFound(err error) string {
	s := err.Error()
	if t := ": " + store.ErrNotFound.Error(); len(s) > len(t) && s[len(s)-len(t):] == t {
		return s[:len(s)-len(t)]
	}
	return s
}

// storeArgs are the --db and --network flags of the commands that read a
// network's history from the store.
type storeArgs struct {
	db, network *string
}

// addStoreFlags defines --db and --network on fs.
func addStoreFlags(fs *flag.FlagSet) storeArgs {
	return storeArgs{
		db:      fs.String("db", "", "snapshot store (default $THREADMAP_DB, else the data dir's threadmap.db)"),
		network: fs.String("network", "", "network key, ext PAN ID or name:NAME (needed when the store holds several)"),
	}
}

// open opens the store read-only and resolves --network; api names the
// endpoint to use while serve holds the file. The caller closes the store.
func (a storeArgs) open(env *Env, api string) (*store.Store, string, error) {
	path, err := dbPath(env, *a.db)
	if err != nil {
		return nil, "", err
	}
	st, err := openStore(path, false, api)
	if err != nil {
		return nil, "", err
	}
	key, err := resolveNetwork(st, *a.network)
	if err != nil {
		st.Close()
		return nil, "", err
	}
	return st, key, nil
}
