package examples_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wecomkit/wecom/wecomtest"
)

// resignedDemo is what the resigned-transfer example seeds its embedded
// WeCom with (its demoData).
var resignedDemo = wecomtest.Demo{Users: 8, Customers: 1000, GroupChats: 20}

// resignedWant is what resigned-transfer must find in the demo data: the
// member who left, their customers and groups, and the default colleague.
type resignedWant struct {
	from, to  string
	customers map[string]bool
	groups    map[string]bool
}

func wantResigned(t *testing.T) resignedWant {
	t.Helper()
	srv := demoServer(t, resignedDemo)
	w := resignedWant{customers: map[string]bool{}, groups: map[string]bool{}}
	for _, u := range srv.Users() {
		if u.Resigned && w.from == "" {
			w.from = u.UserID
		}
	}
	for _, u := range srv.Users() {
		if !u.Resigned && u.CustomerContact && u.UserID != w.from && w.to == "" {
			w.to = u.UserID
		}
	}
	require.NotEmpty(t, w.from, "the demo data has a member who left")
	for _, f := range srv.FollowsOf(w.from) {
		w.customers[f.ExternalUserID] = true
	}
	for _, g := range srv.GroupChats() {
		if g.Owner == w.from {
			w.groups[g.ChatID] = true
		}
	}
	// The demo is sized so that the transfer takes more than one call of
	// 100 and there are groups to hand over too.
	require.Greater(t, len(w.customers), 100)
	require.NotEmpty(t, w.groups)
	return w
}

func TestResignedTransfer(t *testing.T) {
	w := wantResigned(t)
	stdout, stderr := run(t, "resigned-transfer")
	lines := jsonLines(t, stdout)
	require.Len(t, lines, len(w.customers)+len(w.groups), "one line per customer and per group")

	customers, groups := map[string]bool{}, map[string]bool{}
	for _, l := range lines {
		assert.Equal(t, w.from, l["handover_userid"])
		assert.Equal(t, w.to, l["takeover_userid"], "the default colleague is the first member with customer contact")
		assert.NotContains(t, l, "errcode", "nothing failed: %v", l)
		switch l["kind"] {
		case "customer":
			id := l["external_userid"].(string)
			assert.True(t, strings.HasPrefix(id, "wm"), id)
			assert.True(t, w.customers[id], "%s is not a customer of %s", id, w.from)
			assert.False(t, customers[id], "%s printed twice", id)
			customers[id] = true
			assert.Equal(t, "done", l["status"], "the demo clock is past the 24 hours")
			assert.Greater(t, l["takeover_time"], float64(0))
		case "group":
			id := l["chat_id"].(string)
			assert.True(t, strings.HasPrefix(id, "wr"), id)
			assert.True(t, w.groups[id], "%s is not a group of %s", id, w.from)
			groups[id] = true
			assert.Equal(t, "transferred", l["status"])
		default:
			t.Errorf("unknown kind in %v", l)
		}
	}
	assert.Len(t, customers, len(w.customers))
	assert.Len(t, groups, len(w.groups))
	assert.Contains(t, stderr, "batch=2", "more than 100 customers take two calls")
	assert.Contains(t, stderr, fmt.Sprintf("taken_over=%d", len(w.customers)))
}

func TestResignedTransferDryRunAndTo(t *testing.T) {
	w := wantResigned(t)
	srv := demoServer(t, resignedDemo)
	var other string
	for _, u := range srv.Users() {
		if !u.Resigned && u.UserID != w.to && other == "" {
			other = u.UserID
		}
	}

	stdout, stderr := run(t, "resigned-transfer", "-dry-run", "-from", w.from, "-to", other)
	lines := jsonLines(t, stdout)
	require.Len(t, lines, len(w.customers)+len(w.groups))
	for _, l := range lines {
		assert.Equal(t, "planned", l["status"])
		assert.Equal(t, other, l["takeover_userid"])
	}
	assert.NotContains(t, stderr, "transfers started", "a dry run changes nothing")

	// The member who left cannot take over their own customers.
	_, errOut := runFailing(t, "resigned-transfer", "-from", w.from, "-to", w.from)
	assert.Contains(t, errOut, "is the member who left")
}

// When the wait ends before WeCom is done, the example still prints where
// every customer stands.
func TestResignedTransferWaitTimeout(t *testing.T) {
	w := wantResigned(t)
	stdout, stderr := run(t, "resigned-transfer", "-wait", "1ns")
	assert.Contains(t, stderr, "stopped waiting")
	n := 0
	for _, l := range jsonLines(t, stdout) {
		if l["kind"] == "customer" {
			n++
			assert.Contains(t, []any{"done", "waiting"}, l["status"])
		}
	}
	assert.Equal(t, len(w.customers), n)
}
