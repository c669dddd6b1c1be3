package externalcontact

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/wecomkit/wecom"
)

// DefaultExportConcurrency is how many pages ExportCustomers fetches at
// once when ExportCustomersRequest.Concurrency is 0.
const DefaultExportConcurrency = 4

// ExportCustomersRequest names the members whose customers
// ExportCustomers walks, and how. Only UserIDs is required.
type ExportCustomersRequest struct {
	// UserIDs are the members (any number; empty and duplicate ids are
	// skipped).
	UserIDs []string
	// Concurrency is how many pages are fetched at once (default
	// DefaultExportConcurrency). Each concurrent fetch walks its own share
	// of the members, so up to Concurrency members' pages are in flight.
	// Keep it modest: every page counts against WeCom's per-API frequency
	// limit, and the client's Limiter (wecom.WithLimiter) paces them all.
	Concurrency int
	// Limit is the page size asked of batch/get_by_user, at most 100
	// (default 100, the fewest calls); a larger value is clamped to 100,
	// as WeCom would.
	Limit int
}

// ExportStats describes a finished (or failed) export.
type ExportStats struct {
	Staff     int           // distinct members asked for
	Chunks    int           // userid lists the members were cut into
	Pages     int64         // pages fetched successfully
	Relations int64         // relations delivered to the callback
	Duration  time.Duration // from start to the last delivery
}

// ExportCustomers walks every relation of req.UserIDs with their
// customers — one CustomerRelation per (customer, member) pair — and calls
// fn with each exactly once. It is AllCustomersOf for thousands of
// members: the members are cut into balanced userid lists (at most 100
// each, at least as many lists as Concurrency so that every fetch has
// work), and up to Concurrency pages are fetched at once, all through the
// client's retry policy and rate limiter (the one retry layer: a page is
// sent as often as the policy allows, no more). opts go to every call.
//
// fn runs on the calling goroutine, one relation at a time, so it needs
// no locking; relations of one member arrive in WeCom's order, members
// interleave. Memory stays at a few pages per concurrent fetch whatever
// the number of relations.
//
// The export stops at the first error from fn or from a page; relations
// delivered until then were delivered once, and the error is returned
// with the stats so far.
//
// WeCom: POST /cgi-bin/externalcontact/batch/get_by_user
func (s *Service) ExportCustomers(ctx context.Context, req *ExportCustomersRequest, fn func(CustomerRelation) error, opts ...wecom.CallOption) (ExportStats, error) {
	start := time.Now()
	r := deref(req)
	if fn == nil {
		return ExportStats{}, wecom.InvalidArgument("externalcontact: export customers: nil callback")
	}
	if r.Concurrency <= 0 {
		r.Concurrency = DefaultExportConcurrency
	}
	if r.Limit == 0 || r.Limit > MaxBatchLimit {
		r.Limit = MaxBatchLimit
	}
	if r.Limit < 0 {
		return ExportStats{}, wecom.InvalidArgument("externalcontact: export customers: limit %d is negative", r.Limit)
	}

	uniq := uniqueUserIDs(r.UserIDs)
	chunks := balancedChunks(uniq, r.Concurrency, MaxBatchUsers)
	st := ExportStats{Staff: len(uniq), Chunks: len(chunks)}
	if len(chunks) == 0 {
		st.Duration = time.Since(start)
		return st, nil
	}

	var pages atomic.Int64
	// Should fn panic, the deferred cancel still stops the workers.
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	g, gctx := errgroup.WithContext(cctx)
	results := make(chan []CustomerRelation, r.Concurrency)
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
	workers := min(r.Concurrency, len(chunks))
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
				if err := s.exportChunk(gctx, chunk, r.Limit, opts, &pages, results); err != nil {
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
	st.Pages = pages.Load()
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

// exportChunk fetches every page of one userid list into results. The
// page after is asked for as soon as a page has arrived, while the
// caller's goroutine is still delivering the one before (results holds a
// page per worker).
func (s *Service) exportChunk(ctx context.Context, chunk []string, limit int, opts []wecom.CallOption, pages *atomic.Int64, results chan<- []CustomerRelation) error {
	cursor := ""
	for {
		rels, next, err := s.BatchGetCustomers(ctx, &BatchGetCustomersRequest{UserIDs: chunk, Cursor: cursor, Limit: limit}, opts...)
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
			return wecom.UnexpectedResponse(http.MethodPost, "/cgi-bin/externalcontact/batch/get_by_user", "the same cursor %q again", next)
		}
		cursor = next
	}
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
