package wecom

import (
	"context"
	"fmt"
	"iter"
)

// PageFunc fetches the page that starts at cursor ("" for the first) and
// returns its items and the cursor of the next page ("" after the last).
type PageFunc[T any] func(ctx context.Context, cursor string) (items []T, next string, err error)

// Paginate turns a cursor-paginated endpoint into an iterator over its
// items. It follows next cursors until one is empty, holds one page in
// memory at a time, stops fetching as soon as the loop breaks, and yields
// the first error (with a zero item) and stops. A server that hands back
// the cursor it was given is reported as an error rather than looped on.
//
// The area packages build their All* methods on it; use it with Do for
// endpoints they do not wrap yet.
func Paginate[T any](ctx context.Context, fetch PageFunc[T]) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		cursor := ""
		for {
			if err := ctx.Err(); err != nil {
				var zero T
				yield(zero, err)
				return
			}
			items, next, err := fetch(ctx, cursor)
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			for _, it := range items {
				if !yield(it, nil) {
					return
				}
			}
			if next == "" {
				return
			}
			if next == cursor {
				var zero T
				yield(zero, fmt.Errorf("wecom: pagination: the server returned the same cursor %q again", next))
				return
			}
			cursor = next
		}
	}
}
