package artifact

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
)

func TestForEach(t *testing.T) {
	for _, workers := range []int{-1, 0, 1, 3, 50} {
		t.Run(fmt.Sprint(workers), func(t *testing.T) {
			const n = 40
			var active, peak atomic.Int32
			var mu sync.Mutex
			runs := map[int]int{}
			err := forEach(context.Background(), n, workers, func(_ context.Context, i int) error {
				a := active.Add(1)
				defer active.Add(-1)
				for p := peak.Load(); a > p && !peak.CompareAndSwap(p, a); p = peak.Load() {
				}
				mu.Lock()
				runs[i]++
				mu.Unlock()
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			for i := range n {
				if runs[i] != 1 {
					t.Errorf("item %d ran %d times", i, runs[i])
				}
			}
			if workers > 0 && int(peak.Load()) > workers {
				t.Errorf("%d calls ran at once, limit %d", peak.Load(), workers)
			}
		})
	}
}

func TestForEachStopsAtFirstError(t *testing.T) {
	boom := errors.New("boom")
	var ran atomic.Int32
	err := forEach(context.Background(), 100, 1, func(ctx context.Context, i int) error {
		ran.Add(1)
		if i == 2 {
			return boom
		}
		return nil
	})
	if !errors.Is(err, boom) {
		t.Errorf("err = %v, want %v", err, boom)
	}
	if ran.Load() != 3 {
		t.Errorf("%d items ran, want 3 (none after the failure)", ran.Load())
	}
}

func TestForEachParentCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var ran atomic.Int32
	err := forEach(ctx, 10, 2, func(context.Context, int) error { ran.Add(1); return nil })
	if !errors.Is(err, context.Canceled) || ran.Load() != 0 {
		t.Errorf("err = %v after %d runs, want context.Canceled after none", err, ran.Load())
	}
}
