package tmf

import (
	"testing"
	"time"
)

// A first timeout doubles per attempt up to the rx-on Timeout; sleepy
// children and crawls without it keep their one deadline.
func TestAttemptTimeout(t *testing.T) {
	c, err := NewCrawler(Config{Transport: nopTransport{}, FirstTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	cr := &crawl{c: c}
	for n, want := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 4 * time.Second} {
		if got := cr.attemptTimeout(n, c.cfg.Timeout); got != want {
			t.Errorf("attempt %d: %v, want %v", n, got, want)
		}
	}
	if got := cr.attemptTimeout(0, c.cfg.SleepyTimeout); got != c.cfg.SleepyTimeout {
		t.Errorf("sleepy child: %v, want %v", got, c.cfg.SleepyTimeout)
	}
	plain, _ := NewCrawler(Config{Transport: nopTransport{}})
	if got := (&crawl{c: plain}).attemptTimeout(0, plain.cfg.Timeout); got != DefaultTimeout {
		t.Errorf("without FirstTimeout: %v, want %v", got, DefaultTimeout)
	}
}

// nopTransport never reaches a node.
type nopTransport struct{ Transport }
