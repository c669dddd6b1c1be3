package examples_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wecomkit/wecom/wecomtest"
)

func TestTagCustomers(t *testing.T) {
	// The relations the rule matches in the same demo data.
	srv := demoServer(t, wecomtest.Demo{})
	want := map[string]string{}
	for _, u := range srv.Users() {
		if !u.CustomerContact || u.Resigned {
			continue
		}
		for _, f := range srv.FollowsOf(u.UserID) {
			if strings.HasPrefix(f.State, "store_") {
				want[f.ExternalUserID+"/"+f.UserID] = f.State
			}
		}
	}
	require.NotEmpty(t, want, "the demo data has customers from store QR codes")

	for _, dry := range []bool{false, true} {
		t.Run(fmt.Sprintf("dry-run=%v", dry), func(t *testing.T) {
			args := []string{"-group", "来源渠道", "-tag", "门店客户"}
			if dry {
				args = append(args, "-dry-run")
			}
			stdout, stderr := run(t, "tag-customers", args...)
			lines := jsonLines(t, stdout)
			require.Len(t, lines, len(want))
			tagID := lines[0]["tag_id"].(string)
			assert.True(t, strings.HasPrefix(tagID, "et"))
			for _, l := range lines {
				key := l["external_userid"].(string) + "/" + l["userid"].(string)
				assert.Equal(t, want[key], l["state"], key)
				assert.Equal(t, tagID, l["tag_id"], "one tag for all")
				assert.Equal(t, dry, l["dry_run"] == true)
			}
			assert.Contains(t, stderr, "created=true")
			assert.Contains(t, stderr, fmt.Sprintf("matched=%d tagged=%d already_tagged=0", len(want), len(want)))
		})
	}
}
