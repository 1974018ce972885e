package redistest

import (
	"context"
	"fmt"
	"testing"
)

func TestStartClusterSpreadsKeys(t *testing.T) {
	c := StartCluster(t, 3)
	rdb := c.Client(t)
	ctx := context.Background()
	for i := range 30 {
		if err := rdb.Set(ctx, fmt.Sprint("k", i), i, 0).Err(); err != nil {
			t.Fatal(err)
		}
	}
	used := 0
	for _, s := range c.Nodes {
		if n := s.Client(t).DBSize(ctx).Val(); n > 0 {
			used++
		}
	}
	if used != 3 {
		t.Errorf("keys landed on %d of 3 nodes; want all 3", used)
	}
}
