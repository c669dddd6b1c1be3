package moments

import (
	"iter"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/internal/flex"
	"github.com/wecomkit/wecom/message"
	"github.com/wecomkit/wecom/wecomtest"
)

const (
	pathList       = "/cgi-bin/externalcontact/get_moment_list"
	pathTask       = "/cgi-bin/externalcontact/get_moment_task"
	pathCustomers  = "/cgi-bin/externalcontact/get_moment_customer_list"
	pathSendResult = "/cgi-bin/externalcontact/get_moment_send_result"
	pathComments   = "/cgi-bin/externalcontact/get_moment_comments"
)

func TestListMomentsDecodes(t *testing.T) {
	f, svc := newFake(t, pathList, testdata(t, "get_moment_list.json"))
	list, next, err := svc.ListMoments(ctx(t), &ListMomentsRequest{
		StartTime: 1605000000, EndTime: 1605172726, Creator: "zhangsan",
		FilterType: message.FilterCorp.Ptr(), Cursor: "CURSOR", Limit: 10,
	})
	require.NoError(t, err)
	reqs := f.requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, http.MethodPost, reqs[0].Method)
	assert.Empty(t, reqs[0].Query)
	assert.JSONEq(t, `{"start_time":1605000000,"end_time":1605172726,"creator":"zhangsan","filter_type":0,"cursor":"CURSOR","limit":10}`, reqs[0].Body)

	assert.Equal(t, "CURSOR2", next)
	require.Len(t, list, 3)
	a, b, c := list[0], list[1], list[2]
	assert.Equal(t, "momAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", a.MomentID)
	assert.Equal(t, "zhangsan", a.Creator)
	assert.Equal(t, int64(1605000000), a.CreateTime, "create_time as a string")
	assert.Equal(t, time.Unix(1605000000, 0), a.CreateAt())
	assert.Equal(t, message.CreatePersonal, a.CreateType)
	assert.Equal(t, VisibleTypePublic, a.VisibleType)
	assert.Equal(t, &message.Text{Content: "test"}, a.Text)
	assert.Equal(t, []MomentImage{{"WWCISP_image1"}, {"WWCISP_image2"}}, a.Image)
	assert.Nil(t, a.Video)
	assert.Nil(t, a.Link)
	assert.Equal(t, &Location{Latitude: "23.10647", Longitude: "113.32446", Name: "广州市 · 广州塔"}, a.Location)

	assert.Equal(t, "momBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB", b.MomentID)
	assert.Equal(t, "", b.Creator)
	assert.Equal(t, int64(1605000100), b.CreateTime, "create_time as a number")
	assert.Equal(t, message.CreateCorp, b.CreateType)
	assert.Equal(t, VisibleTypePartial, b.VisibleType)
	assert.Nil(t, b.Text)
	assert.Equal(t, &MomentVideo{MediaID: "WWCISP_video", ThumbMediaID: "WWCISP_thumb"}, b.Video)
	assert.Equal(t, &Location{Latitude: "23.5", Longitude: "113", Name: "深圳"}, b.Location, "coordinates as numbers")
	assert.Contains(t, string(b.Raw()), `"new_field": {"x": 1}`, "unknown fields stay reachable")

	assert.Equal(t, "lisi", c.Creator)
	assert.Equal(t, &MomentLink{Title: "腾讯网-QQ.COM", URL: "https://www.qq.com"}, c.Link)
	assert.Empty(t, c.Image)
}

func TestListMomentsDecodeErrors(t *testing.T) {
	for name, body := range map[string]string{
		"bad create_time": `{"errcode":0,"errmsg":"ok","moment_list":[{"moment_id":"m","create_time":"yesterday"}]}`,
		"bad latitude":    `{"errcode":0,"errmsg":"ok","moment_list":[{"moment_id":"m","location":{"latitude":true}}]}`,
		"bad location":    `{"errcode":0,"errmsg":"ok","moment_list":[{"moment_id":"m","location":[]}]}`,
		"bad moment":      `{"errcode":0,"errmsg":"ok","moment_list":[{"moment_id":1}]}`,
	} {
		t.Run(name, func(t *testing.T) {
			_, svc := newFake(t, pathList, body)
			_, _, err := svc.ListMoments(ctx(t), &ListMomentsRequest{StartTime: 1, EndTime: 2})
			var we *wecom.Error
			require.ErrorAs(t, err, &we)
			assert.Equal(t, "decode response", we.Message)
		})
	}
	// Tolerated forms.
	_, svc := newFake(t, pathList, `{"errcode":0,"errmsg":"ok","moment_list":[{"moment_id":"m","create_time":null,"location":{"latitude":null,"longitude":"1.5"}},{"moment_id":"n","create_time":"1605000000.0"}]}`)
	list, _, err := svc.ListMoments(ctx(t), &ListMomentsRequest{StartTime: 1, EndTime: 2})
	require.NoError(t, err)
	assert.Equal(t, int64(0), list[0].CreateTime)
	assert.Equal(t, "", list[0].Location.Latitude)
	assert.Equal(t, "1.5", list[0].Location.Longitude)
	assert.Equal(t, int64(1605000000), list[1].CreateTime)
}

func TestListMomentsValidation(t *testing.T) {
	s, svc := newServer(t)
	month := int64(MaxMomentListSpan / time.Second)
	for _, tc := range []struct {
		name string
		req  ListMomentsRequest
		want string
	}{
		{"no start", ListMomentsRequest{EndTime: 10}, "required"},
		{"no end", ListMomentsRequest{StartTime: 10}, "required"},
		{"reversed", ListMomentsRequest{StartTime: 10, EndTime: 9}, "before start"},
		{"too long", ListMomentsRequest{StartTime: 10, EndTime: 10 + month + 1}, "longer than 744h0m0s"},
		{"limit", ListMomentsRequest{StartTime: 10, EndTime: 11, Limit: 21}, "limit 21 is not in 0..20"},
		{"negative limit", ListMomentsRequest{StartTime: 10, EndTime: 11, Limit: -1}, "limit -1"},
		{"filter", ListMomentsRequest{StartTime: 10, EndTime: 11, FilterType: message.FilterType(3).Ptr()}, "unknown filter type 3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := svc.ListMoments(ctx(t), &tc.req)
			assert.ErrorContains(t, err, tc.want)
			for _, err := range svc.AllMoments(ctx(t), &tc.req) {
				assert.ErrorContains(t, err, tc.want)
			}
		})
	}
	assert.Empty(t, s.RequestsTo(pathList))
	_, _, err := svc.ListMoments(ctx(t), &ListMomentsRequest{StartTime: 10, EndTime: 10 + month, Limit: 20})
	assert.NoError(t, err, "exactly 31 days and 20 per page are allowed")
}

// publishCorpMoment runs an add_moment_task job to its end and returns the
// moment id.
func publishCorpMoment(t *testing.T, s *wecomtest.Server, svc *Service, req *AddMomentTaskRequest) string {
	t.Helper()
	s.SetMomentTaskDuration(0)
	jobID, err := svc.AddMomentTask(ctx(t), req)
	require.NoError(t, err)
	r, err := svc.WaitMomentTask(ctx(t), &WaitMomentTaskRequest{JobID: jobID})
	require.NoError(t, err)
	return r.Result.MomentID
}

func TestListMomentsStateful(t *testing.T) {
	s, svc := newServer(t)
	seed(t, s)
	start := t0.Unix()
	own1, err := s.AddMoment(wecomtest.Moment{Creator: "zhangsan", CreateType: 1, VisibleType: 1, Text: "早安",
		Location: &wecomtest.MomentLocation{Latitude: "23.10647", Longitude: "113.32446", Name: "广州塔"}})
	require.NoError(t, err)
	s.Clock().Advance(time.Minute)
	corp := publishCorpMoment(t, s, svc, &AddMomentTaskRequest{Text: &message.Text{Content: "新品"}})
	s.Clock().Advance(time.Minute)
	own2, err := s.AddMoment(wecomtest.Moment{Creator: "lisi", CreateType: 1, VisibleType: 1,
		LinkTitle: "官网", LinkURL: "https://example.com"})
	require.NoError(t, err)
	old, err := s.AddMoment(wecomtest.Moment{Creator: "lisi", CreateType: 1, CreateTime: start - 86400})
	require.NoError(t, err)

	ids := func(req ListMomentsRequest) []string {
		t.Helper()
		req.StartTime, req.EndTime = start, start+3600
		var out []string
		for m, err := range svc.AllMoments(ctx(t), &req) {
			require.NoError(t, err)
			out = append(out, m.MomentID)
		}
		return out
	}
	assert.Equal(t, []string{own1.MomentID, corp, own2.MomentID}, ids(ListMomentsRequest{}))
	assert.Equal(t, []string{corp}, ids(ListMomentsRequest{FilterType: message.FilterCorp.Ptr()}))
	assert.Equal(t, []string{own1.MomentID, own2.MomentID}, ids(ListMomentsRequest{FilterType: message.FilterPersonal.Ptr()}))
	assert.Equal(t, []string{own1.MomentID, corp, own2.MomentID}, ids(ListMomentsRequest{FilterType: message.FilterAll.Ptr()}))
	assert.Equal(t, []string{own2.MomentID}, ids(ListMomentsRequest{Creator: "lisi"}))
	assert.NotContains(t, ids(ListMomentsRequest{}), old.MomentID, "outside the time range")

	list, next, err := svc.ListMoments(ctx(t), &ListMomentsRequest{StartTime: start, EndTime: start + 3600})
	require.NoError(t, err)
	assert.Empty(t, next)
	require.Len(t, list, 3)
	assert.Equal(t, "zhangsan", list[0].Creator)
	assert.Equal(t, start, list[0].CreateTime)
	assert.Equal(t, &message.Text{Content: "早安"}, list[0].Text)
	assert.Equal(t, &Location{Latitude: "23.10647", Longitude: "113.32446", Name: "广州塔"}, list[0].Location)
	assert.Equal(t, message.CreateCorp, list[1].CreateType)
	assert.Equal(t, VisibleTypePublic, list[1].VisibleType)
	assert.Equal(t, "", list[1].Creator)
	assert.Equal(t, &MomentLink{Title: "官网", URL: "https://example.com"}, list[2].Link)

	checkPaging(t, s, pathList, 3, func() iter.Seq2[Moment, error] {
		return svc.AllMoments(ctx(t), &ListMomentsRequest{StartTime: start, EndTime: start + 3600, Limit: 1})
	})
	for _, r := range s.RequestsTo(pathList) {
		assert.Contains(t, string(r.Body), `"limit":1`)
	}

	// Empty result: one request, no items.
	s.ResetRequests()
	assert.Empty(t, collect(t, svc.AllMoments(ctx(t), &ListMomentsRequest{StartTime: start + 7200, EndTime: start + 9000})))
	assert.Len(t, s.RequestsTo(pathList), 1)

	_, _, err = svc.ListMoments(ctx(t), &ListMomentsRequest{StartTime: start, EndTime: start + 10, Creator: "ghost"})
	assert.Equal(t, wecom.CodeUserNotFound, wecom.ErrorCode(err))
}

func TestListMomentsAttachmentsFromTask(t *testing.T) {
	s, svc := newServer(t)
	seed(t, s)
	video := s.AddMedia(wecomtest.Media{Type: "video", AttachmentType: 1, FileName: "v.mp4", Size: 10}).MediaID
	img := momentImage(t, s)
	v := publishCorpMoment(t, s, svc, &AddMomentTaskRequest{Attachments: []Attachment{VideoAttachment(video)}})
	i := publishCorpMoment(t, s, svc, &AddMomentTaskRequest{Attachments: []Attachment{ImageAttachment(img)}})
	list := collect(t, svc.AllMoments(ctx(t), &ListMomentsRequest{StartTime: t0.Unix(), EndTime: t0.Unix() + 1}))
	require.Len(t, list, 2)
	assert.Equal(t, v, list[0].MomentID)
	require.NotNil(t, list[0].Video)
	assert.Equal(t, video, list[0].Video.MediaID)
	assert.NotEmpty(t, list[0].Video.ThumbMediaID)
	assert.Equal(t, i, list[1].MomentID)
	assert.Equal(t, []MomentImage{{img}}, list[1].Image)
}

func TestListMomentTasksDecodes(t *testing.T) {
	f, svc := newFake(t, pathTask, testdata(t, "get_moment_task.json"))
	tasks, next, err := svc.ListMomentTasks(ctx(t), &ListMomentTasksRequest{MomentID: "momxxx", Cursor: "C", Limit: 10})
	require.NoError(t, err)
	assert.JSONEq(t, `{"moment_id":"momxxx","cursor":"C","limit":10}`, f.requests()[0].Body)
	assert.Equal(t, http.MethodPost, f.requests()[0].Method)
	assert.Equal(t, "CURSOR", next)
	assert.Equal(t, []MomentTask{{"zhangsan", PublishStatusPublished}, {"lisi", PublishStatusPending}}, tasks)

	_, _, err = svc.ListMomentTasks(ctx(t), &ListMomentTasksRequest{})
	assert.ErrorContains(t, err, "moment id is empty")
	_, _, err = svc.ListMomentTasks(ctx(t), &ListMomentTasksRequest{MomentID: "m", Limit: 1001})
	assert.ErrorContains(t, err, "limit 1001 is not in 0..1000")
	assert.Len(t, f.requests(), 1)
}

func TestMomentTasksStateful(t *testing.T) {
	s, svc := newServer(t)
	seed(t, s)
	require.NoError(t, s.AddUser(wecomtest.User{UserID: "wangwu", DepartmentIDs: []int{3}, CustomerContact: true}))
	id := publishCorpMoment(t, s, svc, &AddMomentTaskRequest{Text: &message.Text{Content: "x"}})

	tasks := collect(t, svc.AllMomentTasks(ctx(t), &ListMomentTasksRequest{MomentID: id}))
	assert.Equal(t, []MomentTask{{"zhangsan", PublishStatusPending}, {"lisi", PublishStatusPending}, {"wangwu", PublishStatusPending}}, tasks)

	require.NoError(t, s.PublishMoment(id, "lisi"))
	tasks, next, err := svc.ListMomentTasks(ctx(t), &ListMomentTasksRequest{MomentID: id})
	require.NoError(t, err)
	assert.Empty(t, next)
	assert.Equal(t, PublishStatusPublished, tasks[1].PublishStatus)

	checkPaging(t, s, pathTask, 3, func() iter.Seq2[MomentTask, error] {
		return svc.AllMomentTasks(ctx(t), &ListMomentTasksRequest{MomentID: id, Limit: 1})
	})
	_, _, err = svc.ListMomentTasks(ctx(t), &ListMomentTasksRequest{MomentID: "momnope"})
	assert.Equal(t, wecom.CodeInvalidParameter, wecom.ErrorCode(err))
}

func TestListMomentCustomersAndSendResultsDecode(t *testing.T) {
	f, svc := newFake(t, pathCustomers, testdata(t, "get_moment_customer_list.json"))
	cs, next, err := svc.ListMomentCustomers(ctx(t), &ListMomentCustomersRequest{MomentID: "momxxx", UserID: "zhangsan", Cursor: "C", Limit: 100})
	require.NoError(t, err)
	assert.JSONEq(t, `{"moment_id":"momxxx","userid":"zhangsan","cursor":"C","limit":100}`, f.requests()[0].Body)
	assert.Equal(t, "CURSOR", next)
	assert.Equal(t, []MomentCustomer{
		{UserID: "zhangsan", ExternalUserID: "woAJ2GCAAAXtWyujaWJHDDGi0mACCCCC"},
		{UserID: "zhangsan", ExternalUserID: "woAJ2GCAAAXtWyujaWJHDDGi0mADDDDD"},
	}, cs)

	f, svc = newFake(t, pathSendResult, testdata(t, "get_moment_send_result.json"))
	rs, next, err := svc.ListMomentSendResults(ctx(t), &ListMomentSendResultsRequest{MomentID: "momxxx", UserID: "zhangsan", Limit: 5000})
	require.NoError(t, err)
	assert.JSONEq(t, `{"moment_id":"momxxx","userid":"zhangsan","limit":5000}`, f.requests()[0].Body)
	assert.Empty(t, next)
	assert.Equal(t, []MomentRecipient{{ExternalUserID: "woAJ2GCAAAXtWyujaWJHDDGi0mACCCCC"}}, rs)

	for _, tc := range []struct {
		req  ListMomentSendResultsRequest
		want string
	}{
		{ListMomentSendResultsRequest{UserID: "u"}, "moment id is empty"},
		{ListMomentSendResultsRequest{MomentID: "m"}, "userid is empty"},
		{ListMomentSendResultsRequest{MomentID: "m", UserID: "u", Limit: 5001}, "limit 5001 is not in 0..5000"},
	} {
		_, _, err := svc.ListMomentSendResults(ctx(t), &tc.req)
		assert.ErrorContains(t, err, tc.want)
		assert.ErrorIs(t, err, wecom.ErrInvalidArgument)
	}
	_, _, err = svc.ListMomentSendResults(ctx(t), nil)
	assert.ErrorIs(t, err, wecom.ErrInvalidArgument, "nil is the zero request")
	_, _, err = svc.ListMomentCustomers(ctx(t), &ListMomentCustomersRequest{MomentID: "m", UserID: "u", Limit: 1001})
	assert.ErrorContains(t, err, "limit 1001 is not in 0..1000")
	assert.Len(t, f.requests(), 1)
}

func TestMomentAudienceStateful(t *testing.T) {
	s, svc := newServer(t)
	f := seed(t, s)
	id := publishCorpMoment(t, s, svc, &AddMomentTaskRequest{
		Text:         &message.Text{Content: "VIP 专享"},
		VisibleRange: &VisibleRange{ExternalContactList: &ExternalContactList{TagList: []string{f.vip}}},
	})
	req := ListMomentCustomersRequest{MomentID: id, UserID: "zhangsan"}
	sent := ListMomentSendResultsRequest{MomentID: id, UserID: "zhangsan"}

	// The visible range is the sender's VIP customers.
	cs := collect(t, svc.AllMomentCustomers(ctx(t), &req))
	assert.Equal(t, []MomentCustomer{{"zhangsan", f.zsCustomers[0]}, {"zhangsan", f.zsCustomers[1]}}, cs)
	assert.Empty(t, collect(t, svc.AllMomentCustomers(ctx(t), &ListMomentCustomersRequest{MomentID: id, UserID: "lisi"})), "lisi has no VIP customer")

	// Nobody sees it until the sender publishes it.
	assert.Empty(t, collect(t, svc.AllMomentSendResults(ctx(t), &sent)))
	// The range was fixed when the moment was created: a VIP customer
	// added later is not in it.
	_, err := s.AddCustomer(wecomtest.Customer{Name: "新客"}, wecomtest.Follow{UserID: "zhangsan", TagIDs: []string{f.vip}})
	require.NoError(t, err)
	require.NoError(t, s.PublishMoment(id, "zhangsan"))
	rs := collect(t, svc.AllMomentSendResults(ctx(t), &sent))
	assert.Equal(t, []MomentRecipient{{f.zsCustomers[0]}, {f.zsCustomers[1]}}, rs)
	assert.Error(t, s.PublishMoment(id, "ghost"))
	assert.Error(t, s.PublishMoment("momnope", "zhangsan"))

	// Paging, one per page.
	checkPaging(t, s, pathCustomers, 2, func() iter.Seq2[MomentCustomer, error] {
		req := req
		req.Limit = 1
		return svc.AllMomentCustomers(ctx(t), &req)
	})

	_, _, err = svc.ListMomentCustomers(ctx(t), &ListMomentCustomersRequest{MomentID: id, UserID: "ghost"})
	assert.Equal(t, wecom.CodeUserNotFound, wecom.ErrorCode(err))
	_, _, err = svc.ListMomentSendResults(ctx(t), &ListMomentSendResultsRequest{MomentID: "momnope", UserID: "zhangsan"})
	assert.Equal(t, wecom.CodeInvalidParameter, wecom.ErrorCode(err))
}

func TestMomentSendResultsPaging(t *testing.T) {
	s, svc := newServer(t)
	f := seed(t, s)
	own, err := s.AddMoment(wecomtest.Moment{Creator: "zhangsan", CreateType: 1, Text: "x"})
	require.NoError(t, err)
	got := checkPaging(t, s, pathSendResult, 3, func() iter.Seq2[MomentRecipient, error] {
		return svc.AllMomentSendResults(ctx(t), &ListMomentSendResultsRequest{MomentID: own.MomentID, UserID: "zhangsan", Limit: 1})
	})
	assert.Equal(t, []MomentRecipient{{f.zsCustomers[0]}, {f.zsCustomers[1]}, {f.zsCustomers[2]}}, got)
}

func TestGetMomentCommentsDecodes(t *testing.T) {
	f, svc := newFake(t, pathComments, testdata(t, "get_moment_comments.json"))
	c, err := svc.GetMomentComments(ctx(t), &GetMomentCommentsRequest{MomentID: "momxxx", UserID: "zhangsan"})
	require.NoError(t, err)
	assert.JSONEq(t, `{"moment_id":"momxxx","userid":"zhangsan"}`, f.requests()[0].Body)
	assert.Equal(t, []MomentInteraction{
		{ExternalUserID: "woAJ2GCAAAXtWyujaWJHDDGi0mACCCCC", CreateTime: 1605172726},
		{UserID: "lisi", CreateTime: 1605172729},
	}, c.CommentList)
	assert.Equal(t, []MomentInteraction{
		{ExternalUserID: "woAJ2GCAAAXtWyujaWJHDDGi0mACHHHH", CreateTime: 1605172727},
		{UserID: "wangwu", CreateTime: 1605172720},
	}, c.LikeList)
	assert.Equal(t, time.Unix(1605172726, 0), c.CommentList[0].CreateAt())

	_, err = svc.GetMomentComments(ctx(t), &GetMomentCommentsRequest{MomentID: "", UserID: "u"})
	assert.ErrorContains(t, err, "moment id is empty")
	_, err = svc.GetMomentComments(ctx(t), &GetMomentCommentsRequest{MomentID: "m", UserID: ""})
	assert.ErrorContains(t, err, "userid is empty")

	_, svc = newFake(t, pathComments, `{"errcode":0,"errmsg":"ok","comment_list":[{"create_time":"soon"}]}`)
	_, err = svc.GetMomentComments(ctx(t), &GetMomentCommentsRequest{MomentID: "m", UserID: "u"})
	assert.ErrorContains(t, err, "decode response")
	_, svc = newFake(t, pathComments, `{"errcode":0,"errmsg":"ok","comment_list":[{"userid":7}]}`)
	_, err = svc.GetMomentComments(ctx(t), &GetMomentCommentsRequest{MomentID: "m", UserID: "u"})
	assert.ErrorContains(t, err, "decode response")
}

func TestMomentCommentsStateful(t *testing.T) {
	s, svc := newServer(t)
	f := seed(t, s)
	own, err := s.AddMoment(wecomtest.Moment{Creator: "zhangsan", CreateType: 1, Text: "x"})
	require.NoError(t, err)
	c, err := svc.GetMomentComments(ctx(t), &GetMomentCommentsRequest{MomentID: own.MomentID, UserID: "zhangsan"})
	require.NoError(t, err)
	assert.Empty(t, c.CommentList)
	assert.Empty(t, c.LikeList)

	require.NoError(t, s.AddMomentComment(own.MomentID, wecomtest.MomentComment{Sender: "zhangsan", ExternalUserID: f.zsCustomers[0]}))
	s.Clock().Advance(time.Second)
	require.NoError(t, s.AddMomentComment(own.MomentID, wecomtest.MomentComment{Sender: "zhangsan", UserID: "lisi", Like: true}))
	assert.Error(t, s.AddMomentComment(own.MomentID, wecomtest.MomentComment{Sender: "zhangsan", ExternalUserID: f.lsCustomers[0]}), "not in the audience")
	assert.Error(t, s.AddMomentComment(own.MomentID, wecomtest.MomentComment{Sender: "lisi", UserID: "zhangsan"}), "lisi is no sender")

	c, err = svc.GetMomentComments(ctx(t), &GetMomentCommentsRequest{MomentID: own.MomentID, UserID: "zhangsan"})
	require.NoError(t, err)
	assert.Equal(t, []MomentInteraction{{ExternalUserID: f.zsCustomers[0], CreateTime: t0.Unix()}}, c.CommentList)
	assert.Equal(t, []MomentInteraction{{UserID: "lisi", CreateTime: t0.Unix() + 1}}, c.LikeList)

	_, err = svc.GetMomentComments(ctx(t), &GetMomentCommentsRequest{MomentID: "momnope", UserID: "zhangsan"})
	assert.Equal(t, wecom.CodeInvalidParameter, wecom.ErrorCode(err))
}

func TestEnumStrings(t *testing.T) {
	assert.Equal(t, "corp", message.FilterCorp.String())
	assert.Equal(t, "personal", message.FilterPersonal.String())
	assert.Equal(t, "all", message.FilterAll.String())
	assert.Equal(t, "FilterType(5)", message.FilterType(5).String())
	assert.Equal(t, "corp", message.CreateCorp.String())
	assert.Equal(t, "personal", message.CreatePersonal.String())
	assert.Equal(t, "CreateType(3)", message.CreateType(3).String())
	assert.Equal(t, "partial", VisibleTypePartial.String())
	assert.Equal(t, "public", VisibleTypePublic.String())
	assert.Equal(t, "VisibleType(2)", VisibleType(2).String())
	assert.Equal(t, "pending", PublishStatusPending.String())
	assert.Equal(t, "published", PublishStatusPublished.String())
	assert.Equal(t, "PublishStatus(2)", PublishStatus(2).String())
}

func TestFlexIntRejectsOddNumbers(t *testing.T) {
	for _, in := range []string{`"NaN"`, `"Inf"`, `1e30`, `-1e30`, `"x"`, `"1`} {
		var f flex.Int
		assert.Error(t, f.UnmarshalJSON([]byte(in)), in)
	}
	for in, want := range map[string]int64{`"12"`: 12, `12`: 12, `1.9e3`: 1900, `""`: 0, `null`: 0, ` 5 `: 5} {
		var f flex.Int
		require.NoError(t, f.UnmarshalJSON([]byte(in)), in)
		assert.Equal(t, want, int64(f), in)
	}
	var s flex.String
	assert.Error(t, s.UnmarshalJSON([]byte(`"x`)))
	assert.Error(t, s.UnmarshalJSON([]byte(`{}`)))
}
