package store

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/threadmap/threadmap/store/internal/meshgen"
	"github.com/threadmap/threadmap/thread/topology"
)

// boltTx names the transaction type in the tests.
type boltTx = bolt.Tx

// childEnv names the store file a re-executed test binary writes to.
const childEnv = "THREADMAP_STORE_CRASH_CHILD"

func TestMain(m *testing.M) {
	if path := os.Getenv(childEnv); path != "" {
		os.Exit(crashChild(path))
	}
	code := m.Run()
	cleanupBench()
	os.Exit(code)
}

// crashSnapshot is the snapshot the child writes as id: the parent builds
// the same one to check that exactly it came back.
func crashSnapshot(id uint64) *topology.Snapshot {
	return meshgen.Generate(rand.New(rand.NewPCG(id, 7)), 10+int(id%13), t0.Add(time.Duration(id)*time.Second))
}

// crashChild writes snapshots until killed (bounded: 20000 puts or 60 s),
// printing "ack <id>" after each Put returns.
func crashChild(path string) int {
	st, err := Open(path, Options{Timeout: 10 * time.Second})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 3
	}
	deadline := time.Now().Add(60 * time.Second)
	for i := 0; i < 20000 && time.Now().Before(deadline); i++ {
		// The next id is unknown until Put; build for the size the id will
		// want by peeking: ids are sequential and only this process writes.
		next, err := nextID(st)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 3
		}
		id, err := st.Put(crashSnapshot(next))
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 3
		}
		if id != FormatID(next) {
			fmt.Fprintf(os.Stderr, "got id %s, expected %d\n", id, next)
			return 3
		}
		fmt.Fprintf(os.Stdout, "ack %s\n", id) // os.Stdout is unbuffered
	}
	return 0
}

func nextID(st *Store) (uint64, error) {
	var n uint64
	err := st.view("test", func(tx *boltTx) error { n = tx.Bucket(bucketIDs).Sequence() + 1; return nil })
	return n, err
}

// TestCrashSafety kills a writing child process with SIGKILL at random
// moments, 100 times, and checks after each kill that every acknowledged
// snapshot is there and decodes and that nothing half-written exists.
func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	path := filepath.Join(t.TempDir(), "crash.db")
	rng := rand.New(rand.NewPCG(42, uint64(time.Now().UnixNano())))
	acked := map[string]bool{}
	start := time.Now()
	const rounds = 100
	const minRounds = 25
	killedMidWrite := 0
	done := 0
	for round := 0; round < rounds; round, done = round+1, done+1 {
		// Bounded in time as well as count: on a loaded machine the
		// rounds run slower, so past the budget the test stops early —
		// after enough kills to mean something — rather than fail.
		if el := time.Since(start); el > 50*time.Second {
			if round < minRounds {
				t.Fatalf("round %d: over the time budget (%v) before %d rounds", round, el, minRounds)
			}
			t.Logf("stopping after %d rounds: the %v budget is used", round, el.Round(time.Second))
			break
		}
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), childEnv+"="+path)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := make(chan string)
		go func() {
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				lines <- sc.Text()
			}
			close(lines)
		}()
		// Let it write a random number of snapshots (0..8) and then kill it
		// a random 0..3 ms later: before, during or after the next commit.
		want := rng.IntN(9)
		got := 0
		var roundAcks []string
		timeout := time.After(10 * time.Second)
	wait:
		for got < want {
			select {
			case l, ok := <-lines:
				if !ok {
					t.Fatalf("round %d: child ended early: %s", round, stderr.String())
				}
				id, found := strings.CutPrefix(l, "ack ")
				if !found {
					t.Fatalf("round %d: child said %q", round, l)
				}
				roundAcks = append(roundAcks, id)
				got++
			case <-timeout:
				break wait
			}
		}
		time.Sleep(time.Duration(rng.IntN(3000)) * time.Microsecond)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		for l := range lines { // acks printed before the kill landed
			if id, ok := strings.CutPrefix(l, "ack "); ok {
				roundAcks = append(roundAcks, id)
			}
		}
		werr := cmd.Wait()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
			t.Fatalf("round %d: child was not killed: %v %s", round, werr, stderr.String())
		}
		for _, id := range roundAcks {
			acked[id] = true
		}

		st, err := Open(path, Options{})
		if err != nil {
			t.Fatalf("round %d: reopen after SIGKILL: %v", round, err)
		}
		if err := st.Check(); err != nil {
			t.Fatalf("round %d: file after SIGKILL: %v", round, err)
		}
		for id := range acked {
			snap, err := st.Get(id)
			if err != nil {
				t.Fatalf("round %d: acknowledged snapshot %s: %v", round, id, err)
			}
			n, _ := strconv.ParseUint(id, 10, 64)
			want := crashSnapshot(n)
			want.ID = id
			if !reflect.DeepEqual(snap, want) {
				t.Fatalf("round %d: snapshot %s is not the one written", round, id)
			}
		}
		// A snapshot committed but killed before its ack is fine; count it.
		var seq uint64
		st.view("test", func(tx *boltTx) error { seq = tx.Bucket(bucketIDs).Sequence(); return nil })
		if seq > uint64(len(acked)) {
			killedMidWrite++
			for id := uint64(len(acked) + 1); id <= seq; id++ {
				acked[FormatID(id)] = true // it is in the file; it must stay there
			}
		}
		st.Close()
	}
	t.Logf("%d rounds in %v, %d snapshots acknowledged, %d commits landed before their ack", done, time.Since(start).Round(time.Millisecond), len(acked), killedMidWrite)
	if len(acked) < done {
		t.Errorf("only %d snapshots in %d rounds: the child barely wrote", len(acked), done)
	}
}
