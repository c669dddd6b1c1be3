package wecom

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pages serves fixed pages keyed by cursor and records the cursors asked.
type pages struct {
	data  map[string][]int
	next  map[string]string
	fail  map[string]error
	asked []string
}

func (p *pages) fetch(_ context.Context, cursor string) ([]int, string, error) {
	p.asked = append(p.asked, cursor)
	if err := p.fail[cursor]; err != nil {
		return nil, "", err
	}
	return p.data[cursor], p.next[cursor], nil
}

func collect(seq func(func(int, error) bool)) ([]int, error) {
	var out []int
	for v, err := range seq {
		if err != nil {
			return out, err
		}
		out = append(out, v)
	}
	return out, nil
}

func TestPaginate(t *testing.T) {
	ctx := context.Background()
	t.Run("empty", func(t *testing.T) {
		p := &pages{}
		got, err := collect(Paginate(ctx, p.fetch))
		assert.NoError(t, err)
		assert.Empty(t, got)
		assert.Equal(t, []string{""}, p.asked)
	})
	t.Run("one page", func(t *testing.T) {
		p := &pages{data: map[string][]int{"": {1, 2}}}
		got, err := collect(Paginate(ctx, p.fetch))
		assert.NoError(t, err)
		assert.Equal(t, []int{1, 2}, got)
	})
	t.Run("many pages", func(t *testing.T) {
		p := &pages{data: map[string][]int{"": {1}, "c1": {2, 3}, "c2": {}, "c3": {4}},
			next: map[string]string{"": "c1", "c1": "c2", "c2": "c3"}}
		got, err := collect(Paginate(ctx, p.fetch))
		assert.NoError(t, err)
		assert.Equal(t, []int{1, 2, 3, 4}, got)
		assert.Equal(t, []string{"", "c1", "c2", "c3"}, p.asked)
	})
	t.Run("error midway", func(t *testing.T) {
		boom := errors.New("boom")
		p := &pages{data: map[string][]int{"": {1}}, next: map[string]string{"": "c1"}, fail: map[string]error{"c1": boom}}
		got, err := collect(Paginate(ctx, p.fetch))
		assert.ErrorIs(t, err, boom)
		assert.Equal(t, []int{1}, got)
	})
	t.Run("break stops fetching", func(t *testing.T) {
		p := &pages{data: map[string][]int{"": {1, 2}, "c1": {3}}, next: map[string]string{"": "c1"}}
		var seen []int
		for v, err := range Paginate(ctx, p.fetch) {
			require.NoError(t, err)
			seen = append(seen, v)
			if v == 1 {
				break
			}
		}
		assert.Equal(t, []int{1}, seen, "the loop ran, and stopped at the break")
		assert.Equal(t, []string{""}, p.asked)
	})
	t.Run("a repeated cursor is an error", func(t *testing.T) {
		p := &pages{data: map[string][]int{"": {1}, "c1": {2}}, next: map[string]string{"": "c1", "c1": "c1"}}
		got, err := collect(Paginate(ctx, p.fetch))
		assert.ErrorContains(t, err, "same cursor")
		assert.Equal(t, []int{1, 2}, got)
	})
	t.Run("canceled context", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		defer cancel()
		p := &pages{data: map[string][]int{"": {1}}, next: map[string]string{"": "c1"}}
		var got []int
		var gotErr error
		for v, err := range Paginate(cctx, p.fetch) {
			if err != nil {
				gotErr = err
				break
			}
			got = append(got, v)
			cancel()
		}
		assert.ErrorIs(t, gotErr, context.Canceled)
		assert.Equal(t, []int{1}, got)
		assert.Equal(t, []string{""}, p.asked)
	})
}

func ExamplePaginate() {
	// A page function wraps one call of a cursor-paginated endpoint.
	pagesByCursor := map[string]struct {
		items []string
		next  string
	}{
		"":   {[]string{"wmA", "wmB"}, "c1"},
		"c1": {[]string{"wmC"}, ""},
	}
	fetch := func(ctx context.Context, cursor string) ([]string, string, error) {
		p := pagesByCursor[cursor]
		return p.items, p.next, nil
	}
	for id, err := range Paginate(context.Background(), fetch) {
		if err != nil {
			fmt.Println("error:", err)
			return
		}
		fmt.Println(id)
	}
	// Output:
	// wmA
	// wmB
	// wmC
}
