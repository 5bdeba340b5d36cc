package artifact

import (
	"context"
	"runtime"
	"sync"
)

// forEach calls fn(ctx, i) for i in [0, n) with at most workers calls at
// once (workers <= 0 means GOMAXPROCS). The first error cancels the context
// handed to the other calls, no new calls start, and that error is
// returned. If the parent ctx ends first, its error is returned.
func forEach(ctx context.Context, n, workers int, fn func(ctx context.Context, i int) error) error {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, n)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	var (
		mu       sync.Mutex
		firstErr error
	)
	fail := func(err error) {
		mu.Lock()
		defer mu.Unlock()
		// Later errors are usually the cancellation this one caused.
		if firstErr == nil {
			firstErr = err
			cancel()
		}
	}
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range next {
				// The feeder may hand out one more item in the instant
				// after a failure; it must not start.
				if ctx.Err() != nil {
					continue
				}
				if err := fn(ctx, i); err != nil {
					fail(err)
				}
			}
		})
	}
feed:
	for i := range n {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	// Only fail cancels ctx, so an error here means the parent ended; some
	// items may never have run, and that must not pass as success.
	return ctx.Err()
}
