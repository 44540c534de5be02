package app

import (
	"github.com/threadmap/threadmap/matter/matterclient"
	"github.com/threadmap/threadmap/thread/otbr"
	"github.com/threadmap/threadmap/thread/topology"
)

// otbrSource is the OTBR REST source for baseURL (thread/otbr).
func otbrSource(baseURL string) (topology.Source, error) {
	return otbr.NewSource(baseURL, otbr.Options{})
}

// matterSource is the Matter server source (matter/matterclient).
func matterSource(wsURL string) (*matterclient.Source, error) {
	return matterclient.NewSource(wsURL, matterclient.Options{})
}
