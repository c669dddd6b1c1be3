package groupchat_test

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wecomkit/wecom/groupchat"
)

// FuzzJoinWayJSON feeds WeCom's join way JSON to JoinWay's own decoder: it
// must never panic, and what it accepts must survive a round trip.
func FuzzJoinWayJSON(f *testing.F) {
	sample, err := os.ReadFile("testdata/groupchat_get_join_way.json")
	require.NoError(f, err)
	var env struct {
		JoinWay json.RawMessage `json:"join_way"`
	}
	require.NoError(f, json.Unmarshal(sample, &env))
	f.Add([]byte(env.JoinWay))
	f.Add([]byte(`{"scene":1,"mark_source":1,"auto_create_room":0,"chat_id_list":null}`))
	f.Add([]byte(`{"mark_source":"0"}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var w groupchat.JoinWay
		if json.Unmarshal(b, &w) != nil {
			return
		}
		out, err := json.Marshal(w)
		require.NoError(t, err)
		var back groupchat.JoinWay
		require.NoError(t, json.Unmarshal(out, &back))
		if w.ChatIDList == nil {
			back.ChatIDList = nil // written as [] and read back empty
		}
		assert.Equal(t, w, back)
	})
}
