package redisstore_test

import (
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/vasteras/trygg/internal/store"
	"github.com/vasteras/trygg/internal/store/redisstore"
	"github.com/vasteras/trygg/internal/store/redisstore/redistest"
	"github.com/vasteras/trygg/internal/store/storetest"
)

// openURL opens a Store on url as trygg does, closed when the test ends.
func openURL(t testing.TB, url string) *redisstore.Store {
	t.Helper()
	s, err := redisstore.Open(redisstore.Config{URL: url})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s
}

// openCluster opens a Store on the Cluster nodes addrs as trygg does.
func openCluster(t testing.TB, addrs []string) *redisstore.Store {
	t.Helper()
	s, err := redisstore.Open(redisstore.Config{Addrs: addrs})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if _, ok := s.Client().(*redis.ClusterClient); !ok {
		t.Fatalf("Open with %d addresses gave a %T, want a *redis.ClusterClient", len(addrs), s.Client())
	}
	return s
}

func TestMiniredisConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) (store.Store, storetest.Clock) {
		m := redistest.StartMini(t)
		return openURL(t, m.URL()), m
	})
}

func TestMiniredisStatsConformance(t *testing.T) {
	storetest.RunStats(t, func(t *testing.T) store.Stats {
		s := openURL(t, redistest.StartMini(t).URL())
		t.Cleanup(func() { s.Close() })
		return s
	})
}

func TestRedisConformance(t *testing.T) {
	url := redistest.URL(t)
	storetest.Run(t, func(t *testing.T) (store.Store, storetest.Clock) {
		return openURL(t, url), nil
	})
}

func TestRedisStatsConformance(t *testing.T) {
	url := redistest.URL(t)
	storetest.RunStats(t, func(t *testing.T) store.Stats {
		s := openURL(t, url)
		t.Cleanup(func() { s.Close() })
		return s
	})
}

func TestClusterConformance(t *testing.T) {
	addrs := redistest.ClusterAddrs(t)
	storetest.Run(t, func(t *testing.T) (store.Store, storetest.Clock) {
		return openCluster(t, addrs), nil
	})
}

func TestClusterStatsConformance(t *testing.T) {
	addrs := redistest.ClusterAddrs(t)
	storetest.RunStats(t, func(t *testing.T) store.Stats {
		s := openCluster(t, addrs)
		t.Cleanup(func() { s.Close() })
		return s
	})
}

// openSentinel starts a redis-server and a Sentinel watching it, and returns the Sentinel
// configuration trygg would get from REDIS_ADDRS and REDIS_MASTER_NAME.
func openSentinel(t *testing.T) redisstore.Config {
	t.Helper()
	sentinel := redistest.StartSentinel(t, redistest.StartServer(t))
	return redisstore.Config{Addrs: []string{sentinel.Addr()}, MasterName: redistest.SentinelMaster}
}

func TestSentinelConformance(t *testing.T) {
	cfg := openSentinel(t)
	storetest.Run(t, func(t *testing.T) (store.Store, storetest.Clock) {
		s, err := redisstore.Open(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if c, ok := s.Client().(*redis.Client); !ok || c.Options().Addr != "FailoverClient" {
			t.Fatalf("Open with a master name gave a %T, want a Sentinel (failover) client", s.Client())
		}
		return s, nil
	})
	storetest.RunStats(t, func(t *testing.T) store.Stats {
		s, err := redisstore.Open(cfg)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}

func TestMiniredisRecordsConformance(t *testing.T) {
	storetest.RunRecords(t, func(t *testing.T) (storetest.RecordStore, storetest.Clock) {
		m := redistest.StartMini(t)
		return openURL(t, m.URL()), m
	})
}

func TestRedisRecordsConformance(t *testing.T) {
	url := redistest.URL(t)
	storetest.RunRecords(t, func(t *testing.T) (storetest.RecordStore, storetest.Clock) {
		return openURL(t, url), nil
	})
}

func TestClusterRecordsConformance(t *testing.T) {
	addrs := redistest.ClusterAddrs(t)
	storetest.RunRecords(t, func(t *testing.T) (storetest.RecordStore, storetest.Clock) {
		return openCluster(t, addrs), nil
	})
}
