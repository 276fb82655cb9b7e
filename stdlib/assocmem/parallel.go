package assocmem

import (
	"context"
	"runtime"
	"sync"
)

// parallel runs fn(ctx, k) for k = 0..n−1 on GOMAXPROCS workers and returns
// the results in index order; the first error (lowest k) wins.
func parallel[T any](ctx context.Context, n int, fn func(ctx context.Context, k int) (T, error)) ([]T, error) {
	out := make([]T, n)
	errs := make([]error, n)
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < min(runtime.GOMAXPROCS(0), n); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range next {
				out[k], errs[k] = fn(ctx, k)
			}
		}()
	}
	for k := 0; k < n; k++ {
		if ctx.Err() != nil {
			break
		}
		next <- k
	}
	close(next)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return out, nil
}
