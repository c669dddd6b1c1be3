package examples_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wecomkit/wecom/externalcontact"
	"github.com/wecomkit/wecom/wecomtest"
)

// momentsDemo is what the moments-publish example seeds its embedded WeCom
// with (its demoData).
var momentsDemo = wecomtest.Demo{Users: 8, Customers: 60}

// momentOutput is the object moments-publish prints.
type momentOutput struct {
	JobID              string   `json:"jobid"`
	Status             string   `json:"status"`
	MomentID           string   `json:"moment_id"`
	MediaID            string   `json:"media_id"`
	TagID              string   `json:"tag_id"`
	TagName            string   `json:"tag_name"`
	InvalidSenders     []string `json:"invalid_senders"`
	InvalidDepartments []int    `json:"invalid_departments"`
	InvalidTags        []string `json:"invalid_tags"`
	Senders            []struct {
		UserID        string `json:"userid"`
		PublishStatus string `json:"publish_status"`
	} `json:"senders"`
	Errcode int    `json:"errcode"`
	Errmsg  string `json:"errmsg"`
}

func decodeMoment(t *testing.T, stdout string) momentOutput {
	t.Helper()
	require.Equal(t, 1, strings.Count(stdout, "\n"), "one JSON object on one line: %q", stdout)
	var out momentOutput
	dec := json.NewDecoder(strings.NewReader(stdout))
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(&out))
	return out
}

// momentsWant reads the demo data through the SDK: the corp tags and the
// members who can publish.
func momentsWant(t *testing.T) (tags []externalcontact.TagGroup, staff []string) {
	t.Helper()
	srv := demoServer(t, momentsDemo)
	client, err := srv.Client()
	require.NoError(t, err)
	tags, err = externalcontact.New(client).ListCorpTags(context.Background(), nil)
	require.NoError(t, err)
	require.NotEmpty(t, tags)
	for _, u := range srv.Users() {
		if u.CustomerContact && !u.Resigned && !u.Inactive {
			staff = append(staff, u.UserID)
		}
	}
	return tags, staff
}

func TestMomentsPublish(t *testing.T) {
	tags, staff := momentsWant(t)
	stdout, stderr := run(t, "moments-publish")
	out := decodeMoment(t, stdout)

	assert.Equal(t, "done", out.Status)
	assert.NotEmpty(t, out.JobID)
	assert.True(t, strings.HasPrefix(out.MomentID, "mom"), out.MomentID)
	assert.NotEmpty(t, out.MediaID)
	first := tags[0].Tags[0]
	assert.Equal(t, first.ID, out.TagID, "the default audience is the first corp tag")
	assert.Equal(t, tags[0].GroupName+"/"+first.Name, out.TagName)
	assert.Empty(t, out.InvalidSenders)
	assert.Empty(t, out.InvalidDepartments)
	assert.Empty(t, out.InvalidTags)
	assert.Zero(t, out.Errcode)

	// Every member who can publish is asked to; the demo lets the first
	// half publish.
	require.Len(t, out.Senders, len(staff))
	for i, s := range out.Senders {
		assert.Equal(t, staff[i], s.UserID)
		if i < len(staff)/2 {
			assert.Equal(t, "published", s.PublishStatus, s.UserID)
		} else {
			assert.Equal(t, "pending", s.PublishStatus, s.UserID)
		}
	}
	assert.Contains(t, stderr, "file=poster.png")
}

func TestMomentsPublishFlags(t *testing.T) {
	tags, staff := momentsWant(t)
	tag := tags[1].Tags[0]
	img := filepath.Join(t.TempDir(), "shop.jpg")
	require.NoError(t, os.WriteFile(img, []byte("\xff\xd8\xff\xe0 a tiny jpeg"), 0o600))

	// Two real senders and one unknown: WeCom leaves the unknown one out.
	stdout, stderr := run(t, "moments-publish", "-image", img, "-tag", tag.ID, "-senders", staff[2]+",nobody,"+staff[3], "-text", "周末特惠")
	out := decodeMoment(t, stdout)
	assert.Equal(t, tag.ID, out.TagID)
	assert.Equal(t, tags[1].GroupName+"/"+tag.Name, out.TagName)
	assert.Equal(t, []string{"nobody"}, out.InvalidSenders)
	require.Len(t, out.Senders, 2)
	assert.Equal(t, staff[2], out.Senders[0].UserID)
	assert.Equal(t, "published", out.Senders[0].PublishStatus)
	assert.Equal(t, staff[3], out.Senders[1].UserID)
	assert.Equal(t, "pending", out.Senders[1].PublishStatus)
	assert.Contains(t, stderr, "file=shop.jpg")
	assert.Contains(t, stderr, "left some senders or tags out")

	// An unknown tag fails the task as a whole: the result is printed and
	// the program fails.
	stdout, stderr = runFailing(t, "moments-publish", "-tag", "etUnknownTag")
	out = decodeMoment(t, stdout)
	assert.Equal(t, []string{"etUnknownTag"}, out.InvalidTags)
	assert.Equal(t, 40058, out.Errcode)
	assert.Empty(t, out.MomentID)
	assert.Contains(t, stderr, "errcode 40058")
}
