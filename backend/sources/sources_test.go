package sources

import (
	"strings"
	"testing"

	"github.com/threadmap/threadmap/thread/tmf"
)

func TestParseCrawlAndDialect(t *testing.T) {
	c, err := ParseCrawl("rx-on", "topology")
	if err != nil || c.Children != tmf.ChildrenRxOn || c.Detail != tmf.DetailTopology {
		t.Errorf("rx-on/topology: %+v %v", c, err)
	}
	if c, err := ParseCrawl("", ""); err != nil || c.Children != tmf.ChildrenNone || c.Detail != tmf.DetailFull {
		t.Errorf("defaults: %+v %v", c, err)
	}
	for _, bad := range [][2]string{{"some", "full"}, {"all", "most"}} {
		if _, err := ParseCrawl(bad[0], bad[1]); err == nil || !strings.Contains(err.Error(), "--") {
			t.Errorf("%v: %v", bad, err)
		}
	}
	if _, err := OTBR("http://127.0.0.1:1", "soap"); err == nil || !strings.Contains(err.Error(), "unknown dialect") {
		t.Errorf("bad dialect: %v", err)
	}
	if s, err := OTBR("http://127.0.0.1:1", "legacy"); err != nil || s.Name() != "otbr" {
		t.Errorf("legacy: %v", err)
	}
	if _, err := TMF("fd00::/48", Crawl{}); err == nil {
		t.Error("a /48 is not a mesh-local prefix")
	}
	if s, err := TMF("fd11:22::/64", Crawl{}); err != nil || s.Name() != "tmf" {
		t.Errorf("tmf: %v", err)
	}
}
