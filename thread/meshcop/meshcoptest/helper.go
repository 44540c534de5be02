package meshcoptest

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/threadmap/threadmap/thread/meshcop"
)

// Environment variables of a helper process.
const (
	// EnvRole selects the helper: "advertise" or "browse".
	EnvRole = "THREADMAP_MESHCOP_HELPER"
	// EnvIface is the interface the helper uses.
	EnvIface = "THREADMAP_MESHCOP_IFACE"
	// EnvInterval is the browse round length (a Go duration).
	EnvInterval = "THREADMAP_MESHCOP_INTERVAL"
)

// Role returns the helper role of this process, "" in a normal test run.
func Role() string { return os.Getenv(EnvRole) }

// Ready is the line an advertiser helper prints once its adverts are up.
const Ready = "ready"

// Main runs the helper role named by EnvRole, reading stdin and writing
// stdout, and returns an error for the helper test to report:
//
//   - "advertise": stdin's first line is a JSON []meshcop.BorderRouterAdvert;
//     each is advertised on EnvIface, then Ready is printed; each further
//     line replaces the adverts (Ready again); they are withdrawn when stdin
//     closes.
//   - "browse": a meshcop.Browser runs on EnvIface, printing every event as a
//     JSON line; a "networks" line on stdin prints {"networks": [...]}; stdin
//     closing stops it.
func Main(stdin io.Reader, stdout io.Writer) error {
	iface := os.Getenv(EnvIface)
	switch Role() {
	case "advertise":
		return advertise(stdin, stdout, iface)
	case "browse":
		return browse(stdin, stdout, iface)
	}
	return fmt.Errorf("unknown helper role %q", Role())
}

func advertise(stdin io.Reader, stdout io.Writer, iface string) error {
	in := bufio.NewReader(stdin)
	line, err := in.ReadBytes('\n')
	if err != nil {
		return fmt.Errorf("advertise helper: read adverts: %w", err)
	}
	var adverts []meshcop.BorderRouterAdvert
	if err := json.Unmarshal(line, &adverts); err != nil {
		return fmt.Errorf("advertise helper: adverts json: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var running []*meshcop.Advertisement
	stopAll := func() {
		for _, ad := range running {
			ad.Close()
		}
		running = nil
	}
	defer stopAll()
	for {
		for _, a := range adverts {
			ad, err := meshcop.Advertise(ctx, iface, a)
			if err != nil {
				return err
			}
			running = append(running, ad)
		}
		fmt.Fprintln(stdout, Ready)
		// A further line replaces the adverts; stdin closing ends them.
		line, err := in.ReadBytes('\n')
		if err != nil {
			return nil
		}
		adverts = nil
		if err := json.Unmarshal(line, &adverts); err != nil {
			return fmt.Errorf("advertise helper: adverts json: %w", err)
		}
		stopAll()
	}
}

func browse(stdin io.Reader, stdout io.Writer, iface string) error {
	interval, err := time.ParseDuration(os.Getenv(EnvInterval))
	if err != nil {
		interval = time.Second
	}
	b, err := meshcop.NewBrowser(meshcop.BrowserConfig{Interfaces: []string{iface}, Interval: interval})
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	events := make(chan meshcop.Event, 16)
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx, events) }()
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(stdin)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	enc := json.NewEncoder(stdout)
	for {
		select {
		case ev := <-events:
			if err := enc.Encode(ev); err != nil {
				return err
			}
		case l, ok := <-lines:
			if !ok {
				cancel()
				<-done
				return nil
			}
			if l == "networks" {
				if err := enc.Encode(map[string]any{"networks": b.Networks()}); err != nil {
					return err
				}
			}
		case err := <-done:
			return fmt.Errorf("browser stopped: %w", err)
		}
	}
}
