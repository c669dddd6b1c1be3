package groupchat

import (
	"context"
	"errors"
	"fmt"
	"iter"

	"golang.org/x/sync/errgroup"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/internal/wire"
)

// DefaultDetailsConcurrency is how many groupchat/get calls AllDetails
// keeps in flight unless told otherwise.
const DefaultDetailsConcurrency = 8

// DetailsRequest selects the groups AllDetails reads.
type DetailsRequest struct {
	// ListRequest filters the groups and sets the list page size;
	// its Cursor is ignored.
	ListRequest
	// NeedName fills in each member's Name.
	NeedName bool
	// Concurrency bounds the groupchat/get calls in flight; 0 means
	// DefaultDetailsConcurrency. Mind WeCom's per-API frequency limits
	// (and a wecom.Limiter) when raising it.
	Concurrency int
}

// AllDetails streams every group List would return together with its
// details (Get), fetching up to req.Concurrency groups at once while the
// list is still being read. Each group is yielded once, in the order its
// details arrive (not the list order). Memory stays bounded: listing
// waits while the fetches are busy and the caller is slow.
//
// A group dissolved between listing and fetching (40050) is skipped. Any
// other failure is yielded once, wrapped with the group's id, and ends the
// iteration; calls in flight are cancelled. Breaking out of the loop
// cancels the rest too; AllDetails returns only after its goroutines
// have ended.
//
// WeCom: POST /cgi-bin/externalcontact/groupchat/list and
// POST /cgi-bin/externalcontact/groupchat/get
func (s *Service) AllDetails(ctx context.Context, in *DetailsRequest, opts ...wecom.CallOption) iter.Seq2[*GroupChat, error] {
	req := wire.Deref(in)
	return func(yield func(*GroupChat, error) bool) {
		list, err := req.ListRequest.normalized()
		if err != nil {
			yield(nil, err)
			return
		}
		n := req.Concurrency
		if n <= 0 {
			n = DefaultDetailsConcurrency
		}
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()

		results := make(chan *GroupChat, n)
		var runErr error
		done := make(chan struct{})
		outer, octx := errgroup.WithContext(ctx)
		outer.Go(func() error {
			workers, wctx := errgroup.WithContext(octx)
			workers.SetLimit(n)
			seen := make(map[string]struct{})
			var listErr error
			for c, err := range s.All(wctx, &list, opts...) {
				if err != nil {
					listErr = fmt.Errorf("groupchat: list groups: %w", err)
					break
				}
				if _, dup := seen[c.ChatID]; dup {
					continue
				}
				seen[c.ChatID] = struct{}{}
				id := c.ChatID
				workers.Go(func() error { // blocks while n fetches are in flight
					g, err := s.Get(wctx, id, req.NeedName, opts...)
					switch {
					case wecom.HasCode(err, wecom.CodeChatNotFound):
						return nil // dissolved since it was listed
					case err != nil:
						return fmt.Errorf("groupchat: details of group %s: %w", id, err)
					}
					select {
					case results <- g:
						return nil
					case <-wctx.Done():
						return wctx.Err()
					}
				})
			}
			werr := workers.Wait()
			if listErr != nil && !errors.Is(listErr, context.Canceled) {
				return listErr
			}
			if werr != nil {
				return werr
			}
			return listErr
		})
		go func() {
			runErr = outer.Wait()
			close(results)
			close(done)
		}()

		for g := range results {
			if !yield(g, nil) {
				cancel()
				for range results { // let the goroutines finish
				}
				<-done
				return
			}
		}
		<-done
		if runErr != nil {
			yield(nil, runErr)
		}
	}
}
