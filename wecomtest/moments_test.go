package wecomtest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// momentCall posts body to path with a valid token and returns the errcode
// and payload.
func momentCall(t *testing.T, s *Server, tok, method, path string, q url.Values, body string) (int, map[string]any) {
	t.Helper()
	if q == nil {
		q = url.Values{}
	}
	q.Set("access_token", tok)
	_, out := rawCall(t, s, method, path, q, body)
	code, ok := out["errcode"].(float64)
	require.True(t, ok, "errcode in %v", out)
	return int(code), out
}

func momentServer(t *testing.T) (*Server, string) {
	s := Start(t, WithClock(NewManualClock(time.Unix(1_700_000_000, 0))))
	require.NoError(t, s.AddUser(User{UserID: "zhangsan", DepartmentIDs: []int{2}, CustomerContact: true}))
	require.NoError(t, s.AddUser(User{UserID: "gone", DepartmentIDs: []int{4}, CustomerContact: true, Resigned: true}))
	return s, token(t, s)
}

func TestMomentsAddTaskValidation(t *testing.T) {
	s, tok := momentServer(t)
	img := s.AddMedia(Media{Type: "image", AttachmentType: 1, FileName: "a.png", Size: 1}).MediaID
	video := s.AddMedia(Media{Type: "video", AttachmentType: 1, FileName: "a.mp4", Size: 1}).MediaID
	images := strings.TrimSuffix(strings.Repeat(`{"msgtype":"image","image":{"media_id":"`+img+`"}},`, 10), ",")
	for _, tc := range []struct {
		body string
		code int
		msg  string
	}{
		{`{`, 47001, "data format error"},
		{``, 47001, "empty body"},
		{`{}`, 40058, "both empty"},
		{`{"text":{"content":"` + strings.Repeat("字", 2001) + `"}}`, 40058, "invalid text size"},
		{`{"attachments":[{"msgtype":"image","image":{"media_id":"` + img + `"}},{"msgtype":"video","video":{"media_id":"` + video + `"}}]}`, 40058, "invalid attachments msgtype"},
		{`{"attachments":[{"msgtype":"file","file":{"media_id":"x"}}]}`, 40058, "invalid attachments msgtype"},
		{`{"attachments":[{"msgtype":"image","video":{"media_id":"x"}}]}`, 40058, "invalid attachments msgtype"},
		{`{"attachments":[` + images + `]}`, 40058, "invalid attachments size"},
		{`{"attachments":[{"msgtype":"video","video":{"media_id":"` + video + `"}},{"msgtype":"video","video":{"media_id":"` + video + `"}}]}`, 40058, "invalid attachments size"},
		{`{"attachments":[{"msgtype":"image","image":{"media_id":"` + video + `"}}]}`, 40007, "invalid media_id"},
		{`{"attachments":[{"msgtype":"link","link":{"title":"t"}}]}`, 40058, "link url missing"},
		{`{"attachments":[{"msgtype":"link","link":{"url":"https://x","media_id":"nope"}}]}`, 40007, "invalid media_id"},
	} {
		code, out := momentCall(t, s, tok, "POST", "/cgi-bin/externalcontact/add_moment_task", nil, tc.body)
		assert.Equal(t, tc.code, code, tc.msg)
		assert.Contains(t, out["errmsg"], tc.msg)
	}
	code, out := momentCall(t, s, tok, "POST", "/cgi-bin/externalcontact/add_moment_task", nil,
		`{"attachments":[{"msgtype":"link","link":{"title":"t","url":"https://x","media_id":"`+img+`"}}]}`)
	assert.Equal(t, 0, code)
	assert.NotEmpty(t, out["jobid"])
}

// An upload_attachment media id lasts 3 days: add_moment_task refuses it
// after that with 40007.
func TestMomentsAddTaskRefusesExpiredMedia(t *testing.T) {
	s, tok := momentServer(t)
	img := s.AddMedia(Media{Type: "image", AttachmentType: 1, FileName: "a.png", Size: 1}).MediaID
	body := `{"attachments":[{"msgtype":"image","image":{"media_id":"` + img + `"}}]}`
	s.Clock().Advance(72*time.Hour - time.Second)
	tok = token(t, s) // the first one has expired
	code, out := momentCall(t, s, tok, "POST", "/cgi-bin/externalcontact/add_moment_task", nil, body)
	require.Equal(t, 0, code, "still valid a second before 3 days: %v", out)
	s.Clock().Advance(time.Second)
	code, out = momentCall(t, s, tok, "POST", "/cgi-bin/externalcontact/add_moment_task", nil, body)
	assert.Equal(t, 40007, code)
	assert.Contains(t, out["errmsg"], "invalid media_id")
}

func TestMomentsTaskJobResults(t *testing.T) {
	s, tok := momentServer(t)
	g, err := s.AddTagGroup(TagGroup{GroupName: "g", Tags: []Tag{{Name: "t"}}})
	require.NoError(t, err)
	s.SetMomentTaskDuration(0)
	run := func(body string) map[string]any {
		t.Helper()
		code, out := momentCall(t, s, tok, "POST", "/cgi-bin/externalcontact/add_moment_task", nil, body)
		require.Equal(t, 0, code, out)
		code, out = momentCall(t, s, tok, "GET", "/cgi-bin/externalcontact/get_moment_task_result", url.Values{"jobid": {out["jobid"].(string)}}, "")
		require.Equal(t, 0, code, out)
		assert.EqualValues(t, 3, out["status"])
		return out["result"].(map[string]any)
	}
	// Departments resolve to their members; a resigned member is invalid.
	r := run(`{"text":{"content":"x"},"visible_range":{"sender_list":{"user_list":["gone"],"department_list":[2,4,9]}}}`)
	assert.EqualValues(t, 0, r["errcode"])
	assert.NotEmpty(t, r["moment_id"])
	assert.Equal(t, map[string]any{"user_list": []any{"gone"}, "department_list": []any{float64(9)}}, r["invalid_sender_list"])
	assert.Equal(t, []string{"zhangsan"}, s.Moments()[0].Senders)

	r = run(`{"text":{"content":"x"},"visible_range":{"external_contact_list":{"tag_list":["etnope"]}}}`)
	assert.EqualValues(t, 40058, r["errcode"])
	assert.Equal(t, "no valid tag in external_contact_list", r["errmsg"])
	assert.Nil(t, r["moment_id"])

	r = run(`{"text":{"content":"x"},"visible_range":{"external_contact_list":{"tag_list":["` + g.Tags[0].ID + `"]}}}`)
	assert.EqualValues(t, 0, r["errcode"])
	assert.Equal(t, []any{}, r["invalid_external_contact_list"].(map[string]any)["tag_list"])
	assert.Len(t, s.Moments(), 2)

	code, _ := momentCall(t, s, tok, "GET", "/cgi-bin/externalcontact/get_moment_task_result", nil, "")
	assert.Equal(t, 40058, code)
	code, _ = momentCall(t, s, tok, "POST", "/cgi-bin/externalcontact/get_moment_task_result", url.Values{"jobid": {"x"}}, "{}")
	assert.Equal(t, 43001, code)
}

func TestMomentsReadValidation(t *testing.T) {
	s, tok := momentServer(t)
	m, err := s.AddMoment(Moment{Creator: "zhangsan", CreateType: 1, Text: "x"})
	require.NoError(t, err)
	id := m.MomentID
	for _, tc := range []struct {
		path, body string
		code       int
	}{
		{"get_moment_list", `{"end_time":10}`, 40058},
		{"get_moment_list", `{"start_time":10,"end_time":9}`, 40058},
		// The span is at most 30 days: 31 (a month of July) is refused.
		{"get_moment_list", `{"start_time":10,"end_time":2678410}`, 40058},
		{"get_moment_list", `{"start_time":10,"end_time":2592011}`, 40058},
		{"get_moment_list", `{"start_time":10,"end_time":2592010}`, 0},
		{"get_moment_list", `{"start_time":10,"end_time":20,"filter_type":3}`, 40058},
		{"get_moment_list", `{"start_time":10,"end_time":20,"limit":21}`, 40058},
		{"get_moment_list", `{"start_time":10,"end_time":20,"cursor":"bad"}`, 40058},
		{"get_moment_list", `[`, 47001},
		{"get_moment_task", `{}`, 40058},
		{"get_moment_task", `{"moment_id":"` + id + `","limit":1001}`, 40058},
		{"get_moment_task", `{"moment_id":"` + id + `","cursor":"bad"}`, 40058},
		{"get_moment_task", `{`, 47001},
		{"get_moment_customer_list", `{"moment_id":"` + id + `"}`, 40058},
		{"get_moment_customer_list", `{"moment_id":"` + id + `","userid":"zhangsan","limit":1001}`, 40058},
		{"get_moment_customer_list", `{"moment_id":"` + id + `","userid":"zhangsan","cursor":"bad"}`, 40058},
		{"get_moment_customer_list", `{`, 47001},
		{"get_moment_send_result", `{"moment_id":"` + id + `","userid":"zhangsan","limit":5001}`, 40058},
		{"get_moment_send_result", `{"moment_id":"` + id + `","userid":"zhangsan","limit":5000}`, 0},
		{"get_moment_send_result", `{"moment_id":"` + id + `","userid":"zhangsan","cursor":"bad"}`, 40058},
		{"get_moment_comments", `{"moment_id":"` + id + `","userid":"nobody"}`, 60111},
		{"cancel_moment_task", `{}`, 40058},
		{"cancel_moment_task", `{`, 47001},
	} {
		code, out := momentCall(t, s, tok, "POST", "/cgi-bin/externalcontact/"+tc.path, nil, tc.body)
		assert.Equal(t, tc.code, code, "%s %s: %v", tc.path, tc.body, out["errmsg"])
	}
}

func TestMomentsFixtures(t *testing.T) {
	s, _ := momentServer(t)
	_, err := s.AddMoment(Moment{CreateType: 1})
	assert.Error(t, err, "a personal moment needs a creator")
	_, err = s.AddMoment(Moment{Senders: []string{"ghost"}})
	assert.Error(t, err)
	m, err := s.AddMoment(Moment{MomentID: "mom1", Senders: []string{"zhangsan"}, ImageMediaIDs: []string{"a"}, Location: &MomentLocation{Name: "x"}})
	require.NoError(t, err)
	m.ImageMediaIDs[0] = "changed"
	m.Location.Name = "changed"
	_, err = s.AddMoment(Moment{MomentID: "mom1"})
	assert.Error(t, err, "duplicate id")
	got := s.Moments()[0]
	assert.Equal(t, []string{"a"}, got.ImageMediaIDs, "fixtures return copies")
	assert.Equal(t, "x", got.Location.Name)
	assert.Equal(t, int64(1_700_000_000), got.CreateTime)
	assert.Error(t, s.AddMomentComment("mom1", MomentComment{Sender: "zhangsan", UserID: "zhangsan"}), "not published yet")
	require.NoError(t, s.PublishMoment("mom1", "zhangsan"))
	require.NoError(t, s.PublishMoment("mom1", "zhangsan"), "publishing twice is harmless")
	assert.Error(t, s.AddMomentComment("mom1", MomentComment{Sender: "zhangsan"}), "neither customer nor member")
	assert.Error(t, s.AddMomentComment("mom1", MomentComment{Sender: "zhangsan", UserID: "ghost"}))
	assert.Error(t, s.AddMomentComment("nope", MomentComment{Sender: "zhangsan", UserID: "zhangsan"}))
	assert.NoError(t, s.AddMomentComment("mom1", MomentComment{Sender: "zhangsan", UserID: "zhangsan"}))
}

func TestMomentsStrategyValidation(t *testing.T) {
	s, tok := momentServer(t)
	admins := `"` + strings.TrimSuffix(strings.Repeat(`zhangsan","`, 21), `","`) + `"`
	const p = "/cgi-bin/externalcontact/moment_strategy/"
	code, out := momentCall(t, s, tok, "POST", p+"create", nil, `{"strategy_name":"a","admin_list":["zhangsan"],"range":[{"type":1,"userid":"zhangsan"},{"type":1,"userid":"zhangsan"}]}`)
	require.Equal(t, 0, code, out)
	assert.Len(t, s.MomentStrategies()[0].Range, 1, "duplicates collapse")
	for _, tc := range []struct {
		path, body string
		code       int
	}{
		{"list", `{`, 47001},
		{"list", `{"limit":1001}`, 40058},
		{"list", `{"cursor":"bad"}`, 40058},
		{"get", `{`, 47001},
		{"get", `{}`, 40058},
		{"get_range", `{`, 47001},
		{"get_range", `{"strategy_id":1,"limit":1001}`, 40058},
		{"get_range", `{"strategy_id":1,"cursor":"bad"}`, 40058},
		{"create", `{`, 47001},
		{"create", `{"admin_list":["zhangsan"],"range":[{"type":1,"userid":"zhangsan"}]}`, 40058},
		{"create", `{"strategy_name":"a","range":[{"type":1,"userid":"zhangsan"}]}`, 40058},
		{"create", `{"strategy_name":"a","admin_list":[` + admins + `],"range":[{"type":1,"userid":"zhangsan"}]}`, 40058},
		{"create", `{"strategy_name":"a","admin_list":["zhangsan"]}`, 40058},
		{"create", `{"strategy_name":"a","admin_list":["zhangsan"],"range":[{"type":2,"partyid":0}]}`, 40058},
		{"create", `{"strategy_name":"a","admin_list":["zhangsan"],"range":[{"type":3}]}`, 40058},
		{"edit", `{`, 47001},
		{"del", `{`, 47001},
		{"del", `{"strategy_id":0}`, 40058},
	} {
		code, out := momentCall(t, s, tok, "POST", p+tc.path, nil, tc.body)
		assert.Equal(t, tc.code, code, "%s %s: %v", tc.path, tc.body, out["errmsg"])
	}
	assert.Len(t, s.MomentStrategies(), 1)
}

func TestMomentsUploadAttachmentValidation(t *testing.T) {
	s, tok := momentServer(t)
	part := func(field, name, disp, content string) (string, string) {
		body := "--B\r\nContent-Disposition: form-data; name=\"" + field + "\""
		if name != "" {
			body += "; filename=\"" + name + "\""
		}
		body += disp + "\r\nContent-Type: application/octet-stream\r\n\r\n" + content + "\r\n--B--\r\n"
		return body, "multipart/form-data; boundary=B"
	}
	post := func(q url.Values, body, ct string) (int, map[string]any) {
		t.Helper()
		q.Set("access_token", tok)
		req, err := http.NewRequest("POST", s.URL+"/cgi-bin/media/upload_attachment?"+q.Encode(), strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Content-Type", ct)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		var out map[string]any
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
		return int(out["errcode"].(float64)), out
	}
	img := url.Values{"media_type": {"image"}, "attachment_type": {"1"}}
	ok, okCT := part("media", "a.png", "", "abc")
	for _, tc := range []struct {
		q        url.Values
		body, ct string
		code     int
	}{
		{url.Values{"media_type": {"voice"}, "attachment_type": {"1"}}, ok, okCT, 40004},
		{url.Values{"media_type": {"image"}}, ok, okCT, 40058},
		// A moment takes images and videos, a product album images.
		{url.Values{"media_type": {"file"}, "attachment_type": {"1"}}, ok, okCT, 40004},
		{url.Values{"media_type": {"video"}, "attachment_type": {"2"}}, ok, okCT, 40004},
		{url.Values{"media_type": {"image"}, "attachment_type": {"3"}}, ok, okCT, 40058},
		{img, `{"media":"x"}`, "application/json", 41005},
		{img, ok, "multipart/form-data", 41005},
		{img, "--B--\r\n", okCT, 41005},
		{img, "garbage", okCT, 41005},
		{img, func() string { b, _ := part("file", "a.png", "", "abc"); return b }(), okCT, 41005},
		{img, func() string { b, _ := part("media", "", "", "abc"); return b }(), okCT, 41005},
		{img, func() string { b, _ := part("media", "a.png", "; filelength=4", "abc"); return b }(), okCT, 40006},
		{img, func() string { b, _ := part("media", "a.png", "; filelength=3", "abc"); return b }(), okCT, 0},
	} {
		code, out := post(tc.q, tc.body, tc.ct)
		assert.Equal(t, tc.code, code, "%v %q: %v", tc.q, tc.body, out["errmsg"])
	}
	code, out := post(img, ok, okCT)
	require.Equal(t, 0, code)
	assert.Equal(t, "image", out["type"])
	assert.Equal(t, "1700000000", out["created_at"], "created_at is a string, as WeCom sends it")
	m, found := s.MediaByID(out["media_id"].(string))
	require.True(t, found)
	assert.Equal(t, Media{MediaID: m.MediaID, Type: "image", AttachmentType: 1, FileName: "a.png", Size: 3, CreatedAt: 1700000000}, m)
}
