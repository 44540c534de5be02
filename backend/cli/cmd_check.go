package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/threadmap/threadmap/store"
)

// maxListed bounds the problems check prints.
const maxListed = 200

// check [--db FILE]: reads the whole store file: its page structure (what
// serve checks before it starts), then every snapshot and summary record
// against the index. Exit status 0 when sound, 1 listing each problem.
func runCheck(ctx context.Context, env *Env, a []string) error {
	fs := newFlagSet(env, "check")
	db := fs.String("db", "", "snapshot store (default $THREADMAP_DB, else the data dir's threadmap.db)")
	if _, err := parseFlags(fs, a, 0); err != nil {
		return err
	}
	path, err := dbPath(env, *db)
	if err != nil {
		return err
	}
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("no snapshot store at %s: %w", path, err)
	}
	st, err := store.Open(path, store.Options{ReadOnly: true, Timeout: 300 * time.Millisecond})
	var de *store.DamagedError
	switch {
	case errors.As(err, &de):
		printProblems(env, path, de.Problems)
		return fmt.Errorf("%s: %d problems in its page structure; 'threadmap repair --db %s -o NEW.db' copies every readable snapshot to a new file", path, len(de.Problems), path)
	case errors.Is(err, bolterrors.ErrTimeout):
		return fmt.Errorf("%s is in use by a running threadmap serve; stop it, or check a copy: %w", path, err)
	case err != nil:
		return err
	}
	defer st.Close()
	nets, err := st.Networks()
	if err != nil {
		return err
	}
	if err := st.Check(); err != nil {
		var problems []error
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			problems = j.Unwrap()
		} else {
			problems = []error{err}
		}
		printProblems(env, path, problems)
		return fmt.Errorf("%s: %d problems; 'threadmap repair --db %s -o NEW.db' copies every readable snapshot to a new file", path, len(problems), path)
	}
	n := 0
	for _, ni := range nets {
		n += ni.Snapshots
	}
	fmt.Fprintf(env.Stdout, "%s: sound: %d snapshots in %d networks\n", path, n, len(nets))
	return nil
}

func printProblems(env *Env, path string, problems []error) {
	for i, p := range problems {
		if i == maxListed {
			fmt.Fprintf(env.Stdout, "%s: … and %d more\n", path, len(problems)-maxListed)
			break
		}
		fmt.Fprintf(env.Stdout, "%s: %v\n", path, p)
	}
}
