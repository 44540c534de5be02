// Package metrics is threadmap's Prometheus view, on its own registry:
// the newest snapshot of every network as gauges (nodes by role, links by
// link-quality bucket, per-router-link LQ in/out and cost, children per
// router), scan durations, source errors and the store's size.
package metrics

import (
	"net/http"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/threadmap/threadmap/thread/topology"
)

// Metrics holds the registry and the collectors. Safe for concurrent use.
type Metrics struct {
	reg          *prometheus.Registry
	scanDuration *prometheus.HistogramVec
	scans        *prometheus.CounterVec
	sourceErrors *prometheus.CounterVec
	mu           sync.Mutex
	latest       map[string]*topology.Snapshot
	storeSize    func() (int64, error)
}

// New builds the metrics. storeSize reports the snapshot file's size (may be nil).
func New(storeSize func() (int64, error)) *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		scanDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "threadmap_scan_duration_seconds",
			Help:    "Duration of one scan of one network, all sources.",
			Buckets: []float64{0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120},
		}, []string{"network"}),
		scans: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "threadmap_scans_total",
			Help: "Scans by network and result (ok or failed).",
		}, []string{"network", "result"}),
		sourceErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "threadmap_source_errors_total",
			Help: "Failed collections by source name.",
		}, []string{"source"}),
		latest:    map[string]*topology.Snapshot{},
		storeSize: storeSize,
	}
	m.reg.MustRegister(m.scanDuration, m.scans, m.sourceErrors, (*snapshotCollector)(m),
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Registry is the registry (tests gather from it).
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// ObserveSnapshot makes s its network's newest snapshot unless a newer one is known.
func (m *Metrics) ObserveSnapshot(s *topology.Snapshot) {
	key := s.Network.Key()
	m.mu.Lock()
	defer m.mu.Unlock()
	if old := m.latest[key]; old == nil || !s.TakenAt.Before(old.TakenAt) {
		m.latest[key] = s
	}
}

// ForgetNetwork drops a network's gauges (its snapshots are gone).
func (m *Metrics) ForgetNetwork(key string) {
	m.mu.Lock()
	delete(m.latest, key)
	m.mu.Unlock()
}

// ForgetScans drops the scan series of network (a removed source's
// pending network), so that removed sources leave no series behind.
func (m *Metrics) ForgetScans(network string) {
	m.scanDuration.DeletePartialMatch(prometheus.Labels{"network": network})
	m.scans.DeletePartialMatch(prometheus.Labels{"network": network})
	m.ForgetNetwork(network)
}

// ObserveScan records one scan's duration and result.
func (m *Metrics) ObserveScan(network string, d time.Duration, err error) {
	m.scanDuration.WithLabelValues(network).Observe(d.Seconds())
	result := "ok"
	if err != nil {
		result = "failed"
	}
	m.scans.WithLabelValues(network, result).Inc()
}

// ObserveSourceError counts a failed collection.
func (m *Metrics) ObserveSourceError(source string) {
	m.sourceErrors.WithLabelValues(source).Inc()
}

var (
	descNodes = prometheus.NewDesc("threadmap_nodes",
		"Nodes in the newest snapshot, by role.", []string{"network", "role"}, nil)
	descLinks = prometheus.NewDesc("threadmap_links",
		"Links in the newest snapshot by kind and link-quality bucket (the weaker direction; unknown when not reported).",
		[]string{"network", "kind", "lq"}, nil)
	descLQIn = prometheus.NewDesc("threadmap_router_link_lq_in",
		"Link quality (0-3) at router a of frames from router b.", []string{"network", "a", "b"}, nil)
	descLQOut = prometheus.NewDesc("threadmap_router_link_lq_out",
		"Link quality (0-3) at router b of frames from router a, as a reports it.", []string{"network", "a", "b"}, nil)
	descCost = prometheus.NewDesc("threadmap_router_link_cost",
		"One-hop link cost between routers a and b.", []string{"network", "a", "b"}, nil)
	descChildren = prometheus.NewDesc("threadmap_router_children",
		"Children attached to each router.", []string{"network", "router", "rloc16"}, nil)
	descSnapAge = prometheus.NewDesc("threadmap_snapshot_timestamp_seconds",
		"When the newest snapshot was taken (Unix time).", []string{"network"}, nil)
	descStore = prometheus.NewDesc("threadmap_store_bytes",
		"Size of the snapshot store file.", nil, nil)
)

// snapshotCollector turns the newest snapshots into gauges at scrape time,
// so a vanished node or link never leaves a stale series behind.
type snapshotCollector Metrics

func (c *snapshotCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descNodes, descLinks, descLQIn, descLQOut, descCost, descChildren, descSnapAge, descStore} {
		ch <- d
	}
}

func (c *snapshotCollector) Collect(ch chan<- prometheus.Metric) {
	m := (*Metrics)(c)
	if m.storeSize != nil {
		if n, err := m.storeSize(); err == nil {
			ch <- prometheus.MustNewConstMetric(descStore, prometheus.GaugeValue, float64(n))
		}
	}
	m.mu.Lock()
	keys := make([]string, 0, len(m.latest))
	for k := range m.latest {
		keys = append(keys, k)
	}
	snaps := make([]*topology.Snapshot, 0, len(keys))
	sort.Strings(keys)
	for _, k := range keys {
		snaps = append(snaps, m.latest[k])
	}
	m.mu.Unlock()
	for _, s := range snaps {
		collectSnapshot(ch, s)
	}
}

func collectSnapshot(ch chan<- prometheus.Metric, s *topology.Snapshot) {
	net := s.Network.Key()
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	gauge(descSnapAge, float64(s.TakenAt.Unix()), net)
	roles := map[topology.Role]int{}
	for _, r := range topology.AllRoles() {
		roles[r] = 0
	}
	children := map[string]int{}
	for _, n := range s.Nodes {
		role := n.Role
		if role == "" {
			role = topology.RoleUnknown
		}
		roles[role]++
		if n.Role.IsRouterRole() {
			children[n.ID] += 0
		}
	}
	for r, n := range roles {
		gauge(descNodes, float64(n), net, string(r))
	}
	buckets := map[[2]string]int{}
	for _, k := range []topology.LinkKind{topology.LinkRouter, topology.LinkChild} {
		for _, b := range []string{"0", "1", "2", "3", "unknown"} {
			buckets[[2]string{string(k), b}] = 0
		}
	}
	for _, l := range s.Links {
		buckets[[2]string{string(l.Kind), lqBucket(l)}]++
		switch l.Kind {
		case topology.LinkRouter:
			if l.LQIn != nil {
				gauge(descLQIn, float64(*l.LQIn), net, l.A, l.B)
			}
			if l.LQOut != nil {
				gauge(descLQOut, float64(*l.LQOut), net, l.A, l.B)
			}
			if l.Cost != nil {
				gauge(descCost, float64(*l.Cost), net, l.A, l.B)
			}
		case topology.LinkChild:
			children[l.A]++
		}
	}
	for k, n := range buckets {
		gauge(descLinks, float64(n), net, k[0], k[1])
	}
	for id, n := range children {
		rloc := ""
		if node := s.Node(id); node != nil && node.Rloc16 != nil {
			rloc = node.Rloc16.String()
		}
		gauge(descChildren, float64(n), net, id, rloc)
	}
}

// lqBucket is the weaker direction's link quality, or "unknown".
func lqBucket(l topology.Link) string {
	switch {
	case l.LQIn != nil && l.LQOut != nil:
		return strconv.Itoa(min(*l.LQIn, *l.LQOut))
	case l.LQIn != nil:
		return strconv.Itoa(*l.LQIn)
	case l.LQOut != nil:
		return strconv.Itoa(*l.LQOut)
	}
	return "unknown"
}
