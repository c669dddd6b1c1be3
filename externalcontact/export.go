package externalcontact

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/internal/backoff"
)

// ExportOptions tunes ExportCustomers. The zero value is usable.
type ExportOptions struct {
	// Concurrency is how many pages are fetched at once (default 4). Each
	// concurrent fetch walks its own share of the members, so up to
	// Concurrency members' pages are in flight. Keep it modest: every page
	// counts against WeCom's per-API frequency limit, and the client's
	// Limiter (wecom.WithLimiter) paces them all.
	Concurrency int
	// PageSize is the page size asked of batch/get_by_user, 1..100
	// (default 100, the fewest calls).
	PageSize int
	// PageRetries is how many more times a page is fetched, from its own
	// cursor, after the client has given up on it with a transient failure
	// (system busy, frequency limit, 5xx, a dropped connection, a rejected
	// token). Default 3; a negative value disables it.
	PageRetries int
	// RetryDelay is the base of the capped, jittered backoff between page
	// retries (default 500ms).
	RetryDelay time.Duration
	// CallOptions are passed to every call.
	CallOptions []wecom.CallOption
}

// ExportStats describes a finished (or failed) export.
type ExportStats struct {
	Staff     int           // distinct members asked for
	Chunks    int           // userid lists the members were cut into
	Pages     int64         // pages fetched successfully
	Relations int64         // relations delivered to the callback
	Retries   int64         // pages fetched again after a transient failure
	Duration  time.Duration // from start to the last delivery
}

// ExportCustomers walks every relation of the given members with their
// customers — one CustomerRelation per (customer, member) pair — and calls
// fn with each exactly once. It is AllCustomersOf for thousands of
// members: the members are cut into balanced userid lists (at most 100
// each, at least as many lists as Concurrency so that every fetch has
// work), and up to Concurrency pages are fetched at once, all through the
// client's retry policy and rate limiter.
//
// fn runs on the calling goroutine, one relation at a time, so it needs
// no locking; relations of one member arrive in WeCom's order, members
// interleave. Memory stays at a few pages per concurrent fetch whatever
// the number of relations.
//
// A page that fails transiently after the client's own retries is fetched
// again from the same cursor (PageRetries): nothing from a failed page has
// been delivered, so no relation is delivered twice. The export stops at
// the first error from fn or a page that keeps failing; relations
// delivered until then were delivered once, and the error is returned
// with the stats so far. Empty and duplicate userids are skipped.
//
// WeCom: POST /cgi-bin/externalcontact/batch/get_by_user
func (s *Service) ExportCustomers(ctx context.Context, userIDs []string, opt *ExportOptions, fn func(CustomerRelation) error) (ExportStats, error) {
	start := time.Now()
	var o ExportOptions
	if opt != nil {
		o = *opt
	}
	if fn == nil {
		return ExportStats{}, errors.New("externalcontact: ExportCustomers: nil callback")
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 4
	}
	if o.PageSize == 0 {
		o.PageSize = MaxBatchLimit
	}
	if o.PageSize < 0 || o.PageSize > MaxBatchLimit {
		return ExportStats{}, fmt.Errorf("externalcontact: ExportCustomers: page size %d is not in 1..%d", o.PageSize, MaxBatchLimit)
	}
	if o.PageRetries == 0 {
		o.PageRetries = 3
	}
	if o.RetryDelay <= 0 {
		o.RetryDelay = 500 * time.Millisecond
	}

	uniq := uniqueUserIDs(userIDs)
	chunks := balancedChunks(uniq, o.Concurrency, MaxBatchUsers)
	st := ExportStats{Staff: len(uniq), Chunks: len(chunks)}
	if len(chunks) == 0 {
		st.Duration = time.Since(start)
		return st, nil
	}

	var pages, retries atomic.Int64
	// Should fn panic, the deferred cancel still stops the workers.
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	g, gctx := errgroup.WithContext(cctx)
	results := make(chan []CustomerRelation, o.Concurrency)
	next := make(chan []string)
	g.Go(func() error {
		defer close(next)
		for _, c := range chunks {
			select {
			case next <- c:
			case <-gctx.Done():
				return nil
			}
		}
		return nil
	})
	workers := min(o.Concurrency, len(chunks))
	var running atomic.Int32
	running.Store(int32(workers))
	for range workers {
		g.Go(func() error {
			defer func() {
				if running.Add(-1) == 0 {
					close(results)
				}
			}()
			for chunk := range next {
				if err := s.exportChunk(gctx, chunk, &o, &pages, &retries, results); err != nil {
					return err
				}
			}
			return nil
		})
	}

	// Deliver on the caller's goroutine. On a callback error, cancel the
	// fetches and drain so that every worker can finish.
	var fnErr error
	for page := range results {
		if fnErr != nil {
			continue
		}
		for _, rel := range page {
			if err := fn(rel); err != nil {
				fnErr = err
				break
			}
			st.Relations++
		}
		if fnErr != nil {
			g.Go(func() error { return errExportStopped })
		}
	}
	err := g.Wait()
	st.Pages, st.Retries = pages.Load(), retries.Load()
	st.Duration = time.Since(start)
	switch {
	case fnErr != nil:
		return st, fnErr
	case err != nil:
		return st, fmt.Errorf("externalcontact: export customers of %d members (%d relations delivered): %w", st.Staff, st.Relations, err)
	case ctx.Err() != nil:
		return st, ctx.Err()
	}
	return st, nil
}

var errExportStopped = errors.New("externalcontact: export stopped by the callback")

// exportChunk fetches every page of one userid list into results.
func (s *Service) exportChunk(ctx context.Context, chunk []string, o *ExportOptions, pages, retries *atomic.Int64, results chan<- []CustomerRelation) error {
	cursor := ""
	for {
		var rels []CustomerRelation
		var next string
		var err error
		for attempt := 0; ; attempt++ {
			rels, next, err = s.BatchGetCustomers(ctx, &BatchGetCustomersRequest{UserIDs: chunk, Cursor: cursor, Limit: o.PageSize}, o.CallOptions...)
			if err == nil || attempt >= o.PageRetries || !transientPageError(ctx, err) {
				break
			}
			retries.Add(1)
			if err := backoff.Sleep(ctx, backoff.FullJitter(o.RetryDelay, 20*o.RetryDelay, attempt+1)); err != nil {
				return err
			}
		}
		if err != nil {
			return err
		}
		pages.Add(1)
		if len(rels) > 0 {
			select {
			case results <- rels:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		if next == "" {
			return nil
		}
		if next == cursor {
			return fmt.Errorf("pagination: the server returned the same cursor %q again", next)
		}
		cursor = next
	}
}

// transientPageError reports whether a read that failed with err is worth
// fetching again.
func transientPageError(ctx context.Context, err error) bool {
	if ctx.Err() != nil {
		return false
	}
	var e *wecom.Error
	if !errors.As(err, &e) {
		return false
	}
	switch {
	case wecom.IsBusy(err), wecom.IsRateLimited(err), wecom.IsTokenInvalid(err):
		return true
	case e.Code != 0:
		return false
	case e.HTTPStatus >= 500:
		return true
	case e.HTTPStatus == 0 && e.Err != nil:
		// A transport failure (dropped connection, timeout).
		return !errors.Is(e.Err, context.Canceled)
	}
	return false
}

// balancedChunks cuts ids into lists of at most max, as even as possible
// and as many as a multiple of workers, so that workers finish together.
func balancedChunks(ids []string, workers, max int) [][]string {
	n := len(ids)
	if n == 0 {
		return nil
	}
	rounds := (n + workers*max - 1) / (workers * max)
	count := min(n, workers*rounds)
	out := make([][]string, 0, count)
	for i := 0; i < count; i++ {
		lo, hi := i*n/count, (i+1)*n/count
		out = append(out, ids[lo:hi:hi])
	}
	return out
}
