package examples_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wecomkit/wecom/wecomtest"
)

// groupchatDemo is what the groupchat-export example seeds its embedded
// WeCom with (its demoData).
var groupchatDemo = wecomtest.Demo{Users: 8, Customers: 60, GroupChats: 12}

func TestGroupchatExport(t *testing.T) {
	srv := demoServer(t, groupchatDemo)
	want := map[string]wecomtest.GroupChat{}
	resigned := map[string]bool{}
	for _, u := range srv.Users() {
		resigned[u.UserID] = u.Resigned
	}
	members, customers := 0, map[string]bool{}
	for _, g := range srv.GroupChats() {
		want[g.ChatID] = g
		members += len(g.Members)
		for _, m := range g.Members {
			if m.Type == 2 {
				customers[m.UserID] = true
			}
		}
	}
	require.NotEmpty(t, want)

	stdout, stderr := run(t, "groupchat-export")
	lines := jsonLines(t, stdout)
	require.Len(t, lines, len(want), "one line per group")
	seen := map[string]bool{}
	sawResigned := false
	for _, l := range lines {
		id := l["chat_id"].(string)
		assert.True(t, strings.HasPrefix(id, "wr"), id)
		g, ok := want[id]
		require.True(t, ok, "%s is not in the demo data", id)
		assert.False(t, seen[id], "%s written twice", id)
		seen[id] = true
		assert.Equal(t, g.Name, l["name"])
		assert.Equal(t, g.Owner, l["owner"])
		// Demo times are relative to now, so the two servers differ a little.
		assert.InDelta(t, float64(g.CreateTime), l["create_time"], 120)
		assert.Equal(t, float64(len(g.Members)), l["member_count"])

		list := l["member_list"].([]any)
		require.Len(t, list, len(g.Members))
		nCustomers := 0
		for i, x := range list {
			m := x.(map[string]any)
			assert.Equal(t, g.Members[i].UserID, m["userid"])
			assert.Equal(t, g.Members[i].Name, m["name"], "names are asked for")
			assert.NotEmpty(t, m["name"])
			if m["type"] == float64(2) {
				nCustomers++
				assert.True(t, strings.HasPrefix(m["userid"].(string), "wm"))
			}
		}
		assert.Equal(t, float64(nCustomers), l["customer_count"])
		if resigned[g.Owner] {
			sawResigned = true
			assert.Equal(t, "resigned", l["status"])
		} else {
			assert.Equal(t, "normal", l["status"])
		}
	}
	assert.True(t, sawResigned, "the demo has a group whose owner left")
	assert.Contains(t, stderr, fmt.Sprintf("groups=%d members=%d customers=%d", len(want), members, len(customers)))
}

func TestGroupchatExportFilters(t *testing.T) {
	srv := demoServer(t, groupchatDemo)
	var leaver string
	for _, u := range srv.Users() {
		if u.Resigned {
			leaver = u.UserID
		}
	}
	owned := map[string]int{}
	for _, g := range srv.GroupChats() {
		owned[g.Owner]++
	}
	require.NotZero(t, owned[leaver])

	stdout, _ := run(t, "groupchat-export", "-status", "resigned", "-names=false")
	lines := jsonLines(t, stdout)
	require.Len(t, lines, owned[leaver], "only the groups of the member who left")
	for _, l := range lines {
		assert.Equal(t, leaver, l["owner"])
		for _, m := range l["member_list"].([]any) {
			assert.Empty(t, m.(map[string]any)["name"], "names were not asked for")
		}
	}

	owner := srv.GroupChats()[0].Owner
	stdout, _ = run(t, "groupchat-export", "-owner", owner)
	lines = jsonLines(t, stdout)
	require.Len(t, lines, owned[owner])
	for _, l := range lines {
		assert.Equal(t, owner, l["owner"])
	}

	_, stderr := runFailingCode(t, 2, "groupchat-export", "-status", "gone")
	assert.Contains(t, stderr, "is not all, resigned")
}
