package groupchat

import (
	"context"
	"fmt"
	"iter"

	"golang.org/x/sync/errgroup"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/internal/wire"
)

// DefaultDetailsConcurrency is how many groupchat/get calls AllDetails
// keeps in flight unless told otherwise.
const DefaultDetailsConcurrency = 8

// AllDetailsRequest selects the groups AllDetails reads.
type AllDetailsRequest struct {
	// ListGroupChatsRequest filters the groups and sets the list page
	// size; its Cursor is ignored.
	ListGroupChatsRequest
	// NeedName fills in each member's Name.
	NeedName bool
	// Concurrency bounds the groupchat/get calls in flight; 0 means
	// DefaultDetailsConcurrency. Mind WeCom's per-API frequency limits
	// (and a wecom.Limiter) when raising it.
	Concurrency int
}

// AllDetails streams every group ListGroupChats would return together
// with its details (GetGroupChat), fetching up to req.Concurrency groups
// at once while the list is still being read. Each group is yielded once,
// in the order its details arrive (not the list order). Memory stays
// bounded: listing waits while the fetches are busy and the caller is
// slow.
//
// A group dissolved between listing and fetching (40050) is skipped. Any
// other failure is yielded once, wrapped with the group's id, and ends the
// iteration; calls in flight are cancelled. Breaking out of the loop
// cancels the rest too; AllDetails returns only after its goroutines
// have ended.
//
// WeCom: POST /cgi-bin/externalcontact/groupchat/list and
// POST /cgi-bin/externalcontact/groupchat/get
func (s *Service) AllDetails(ctx context.Context, req *AllDetailsRequest, opts ...wecom.CallOption) iter.Seq2[*GroupChat, error] {
	r := wire.Deref(req)
	return func(yield func(*GroupChat, error) bool) {
		list, err := r.ListGroupChatsRequest.normalized("all details")
		if err != nil {
			yield(nil, err)
			return
		}
		n := r.Concurrency
		if n <= 0 {
			n = DefaultDetailsConcurrency
		}
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()

		// One group: the lister takes one slot and starts each fetch in
		// another, blocking while n fetches are in flight. The first error
		// (a fetch's, or the list's) cancels the rest and is the one
		// Wait returns.
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(n + 1)
		results := make(chan *GroupChat, n)
		g.Go(func() error {
			seen := make(map[string]struct{})
			for c, err := range s.AllGroupChats(gctx, &list, opts...) {
				if err != nil {
					return fmt.Errorf("groupchat: list groups: %w", err)
				}
				if gctx.Err() != nil {
					return gctx.Err() // a fetch failed: start no more
				}
				if _, dup := seen[c.ChatID]; dup {
					continue
				}
				seen[c.ChatID] = struct{}{}
				id := c.ChatID
				g.Go(func() error {
					chat, err := s.GetGroupChat(gctx, &GetGroupChatRequest{ChatID: id, NeedName: r.NeedName}, opts...)
					switch {
					case wecom.HasCode(err, wecom.CodeChatNotFound):
						return nil // dissolved since it was listed
					case err != nil:
						return fmt.Errorf("groupchat: details of group %s: %w", id, err)
					}
					select {
					case results <- chat:
						return nil
					case <-gctx.Done():
						return gctx.Err()
					}
				})
			}
			return nil
		})
		var runErr error
		done := make(chan struct{})
		go func() {
			runErr = g.Wait()
			close(results)
			close(done)
		}()

		for chat := range results {
			if !yield(chat, nil) {
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
