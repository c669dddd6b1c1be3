package examples_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wecomkit/wecom/wecomtest"
)

func TestSaaSTenants(t *testing.T) {
	store := filepath.Join(t.TempDir(), "codes.json")
	stdout, stderr := run(t, "saas-tenants", "-store", store)

	// The same demo corps as the example seeds (saas-tenants demoCorps
	// and demoData).
	corps := []string{"wwdemotenant00000001", "wwdemotenant00000002", "wwdemotenant00000003"}
	want := map[string]bool{}
	for i, id := range corps {
		srv := wecomtest.Start(t, wecomtest.WithCorpID(id), wecomtest.WithSeed(uint64(i+1)), wecomtest.WithDemo(wecomtest.Demo{Users: 4, Customers: 25}))
		for _, u := range srv.Users() {
			if !u.CustomerContact || u.Resigned {
				continue
			}
			for _, f := range srv.FollowsOf(u.UserID) {
				want[id+"/"+f.ExternalUserID+"/"+f.UserID] = true
			}
		}
	}
	lines := jsonLines(t, stdout)
	require.Len(t, lines, len(want), "one line per relation of every tenant")
	perCorp := map[string]int{}
	for _, l := range lines {
		key := fmt.Sprintf("%s/%s/%s", l["corpid"], l["external_userid"], l["userid"])
		assert.True(t, want[key], "%s is not in the demo data", key)
		delete(want, key)
		assert.Equal(t, "Corp "+l["corpid"].(string), l["corp_name"])
		assert.NotEmpty(t, l["name"])
		perCorp[l["corpid"].(string)]++
	}
	assert.Empty(t, want, "relations missing")
	assert.Len(t, perCorp, 3)
	for _, id := range corps {
		assert.Contains(t, stderr, `msg="tenant installed" corpid=`+id)
	}
	assert.Contains(t, stderr, "tenants=3")

	// The codes are in the example's own store, readable by its owner only.
	fi, err := os.Stat(store)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	b, err := os.ReadFile(store)
	require.NoError(t, err)
	var recs []struct {
		CorpID        string `json:"corpid"`
		PermanentCode string `json:"permanent_code"`
	}
	require.NoError(t, json.Unmarshal(b, &recs))
	require.Len(t, recs, 3)
	for i, r := range recs {
		assert.Equal(t, corps[i], r.CorpID)
		assert.Len(t, r.PermanentCode, 43)
		assert.NotContains(t, stderr, r.PermanentCode, "never logged")
		assert.NotContains(t, stdout, r.PermanentCode)
	}
}
