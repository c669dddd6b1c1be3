package moments

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/message"
	"github.com/wecomkit/wecom/wecomtest"
)

const (
	pathAddTask    = "/cgi-bin/externalcontact/add_moment_task"
	pathTaskResult = "/cgi-bin/externalcontact/get_moment_task_result"
	pathCancel     = "/cgi-bin/externalcontact/cancel_moment_task"
)

func momentImage(t *testing.T, s *wecomtest.Server) string {
	t.Helper()
	return s.AddMedia(wecomtest.Media{Type: "image", AttachmentType: 1, FileName: "a.jpg", Size: 1024}).MediaID
}

func TestAddMomentTaskSendsRequest(t *testing.T) {
	s, svc := newServer(t)
	f := seed(t, s)
	img1, img2 := momentImage(t, s), momentImage(t, s)

	jobID, err := svc.AddMomentTask(ctx(t), &AddMomentTaskRequest{
		Text:        &message.Text{Content: "新品上市"},
		Attachments: []Attachment{ImageAttachment(img1), ImageAttachment(img2)},
		VisibleRange: &VisibleRange{
			SenderList:          &SenderList{UserList: []string{"zhangsan"}, DepartmentList: []int{3}},
			ExternalContactList: &ExternalContactList{TagList: []string{f.vip}},
		},
	})
	require.NoError(t, err)
	assert.NotEmpty(t, jobID)

	reqs := s.RequestsTo(pathAddTask)
	require.Len(t, reqs, 1)
	assert.Equal(t, http.MethodPost, reqs[0].Method)
	assert.Empty(t, reqs[0].Query)
	assert.JSONEq(t, `{
		"text": {"content": "新品上市"},
		"attachments": [
			{"msgtype": "image", "image": {"media_id": "`+img1+`"}},
			{"msgtype": "image", "image": {"media_id": "`+img2+`"}}
		],
		"visible_range": {
			"sender_list": {"user_list": ["zhangsan"], "department_list": [3]},
			"external_contact_list": {"tag_list": ["`+f.vip+`"]}
		}
	}`, string(reqs[0].Body))
}

func TestAddMomentTaskAttachmentShapes(t *testing.T) {
	s, svc := newServer(t)
	seed(t, s)
	img := momentImage(t, s)
	video := s.AddMedia(wecomtest.Media{Type: "video", AttachmentType: 1, FileName: "v.mp4", Size: 4096}).MediaID
	for _, tc := range []struct {
		name string
		att  Attachment
		want string
	}{
		{"video", VideoAttachment(video), `{"msgtype":"video","video":{"media_id":"` + video + `"}}`},
		{"link", LinkAttachment(Link{Title: "官网", URL: "https://example.com/a", MediaID: img}),
			`{"msgtype":"link","link":{"title":"官网","url":"https://example.com/a","media_id":"` + img + `"}}`},
		{"link without cover", LinkAttachment(Link{URL: "https://example.com/b"}), `{"msgtype":"link","link":{"url":"https://example.com/b"}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s.ResetRequests()
			_, err := svc.AddMomentTask(ctx(t), &AddMomentTaskRequest{Attachments: []Attachment{tc.att}})
			require.NoError(t, err)
			reqs := s.RequestsTo(pathAddTask)
			require.Len(t, reqs, 1)
			assert.JSONEq(t, `{"attachments":[`+tc.want+`]}`, string(reqs[0].Body))
		})
	}
}

func TestAddMomentTaskValidation(t *testing.T) {
	s, svc := newServer(t)
	img := ImageAttachment("m1")
	nine := make([]Attachment, 10)
	for i := range nine {
		nine[i] = img
	}
	for _, tc := range []struct {
		name string
		req  *AddMomentTaskRequest
		want string
	}{
		{"nil is the zero request", nil, "both empty"},
		{"empty", &AddMomentTaskRequest{}, "both empty"},
		{"empty text", &AddMomentTaskRequest{Text: &message.Text{}}, "both empty"},
		{"long text", &AddMomentTaskRequest{Text: &message.Text{Content: strings.Repeat("字", MaxTextLength+1)}}, "longer than 2000"},
		{"mixed", &AddMomentTaskRequest{Attachments: []Attachment{img, VideoAttachment("v")}}, "mix image and video"},
		{"ten images", &AddMomentTaskRequest{Attachments: nine}, "10 images"},
		{"two videos", &AddMomentTaskRequest{Attachments: []Attachment{VideoAttachment("a"), VideoAttachment("b")}}, "2 video attachments"},
		{"two links", &AddMomentTaskRequest{Attachments: []Attachment{LinkAttachment(Link{URL: "u"}), LinkAttachment(Link{URL: "v"})}}, "2 link attachments"},
		{"no media id", &AddMomentTaskRequest{Attachments: []Attachment{ImageAttachment("")}}, "image needs a media_id"},
		{"video no media id", &AddMomentTaskRequest{Attachments: []Attachment{VideoAttachment("")}}, "video needs a media_id"},
		{"link no url", &AddMomentTaskRequest{Attachments: []Attachment{LinkAttachment(Link{Title: "t"})}}, "link needs a url"},
		{"unknown type", &AddMomentTaskRequest{Attachments: []Attachment{{MsgType: message.TypeFile, Image: &message.Image{MediaID: "x"}}}}, `msgtype "file" is not image`},
		{"two fields", &AddMomentTaskRequest{Attachments: []Attachment{{MsgType: message.TypeImage, Image: &message.Image{MediaID: "x"}, Video: &message.Video{MediaID: "y"}}}}, "exactly one"},
		{"type mismatch", &AddMomentTaskRequest{Attachments: []Attachment{{MsgType: message.TypeImage, Video: &message.Video{MediaID: "y"}}}}, "image needs a media_id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := svc.AddMomentTask(ctx(t), tc.req)
			require.ErrorIs(t, err, wecom.ErrInvalidArgument)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
	assert.Empty(t, s.RequestsTo(pathAddTask), "an invalid request must not be sent")
	// Exactly 9 images, one video, one link are fine as far as the SDK is concerned.
	assert.NoError(t, (&AddMomentTaskRequest{Attachments: nine[:9]}).validate())
}

func TestAddMomentTaskServerErrors(t *testing.T) {
	s, svc := newServer(t)
	seed(t, s)
	temp := s.AddMedia(wecomtest.Media{Type: "image", AttachmentType: 0, FileName: "a.jpg", Size: 1}).MediaID
	_, err := svc.AddMomentTask(ctx(t), &AddMomentTaskRequest{Attachments: []Attachment{ImageAttachment("nope")}})
	assert.Equal(t, wecom.Code(40007), wecom.ErrorCode(err))
	_, err = svc.AddMomentTask(ctx(t), &AddMomentTaskRequest{Attachments: []Attachment{ImageAttachment(temp)}})
	assert.Equal(t, wecom.Code(40007), wecom.ErrorCode(err), "a temporary media id is not a moment attachment")
}

// A create that may have been applied is never repeated: a second moment
// would reach every customer again.
func TestAddMomentTaskNotRepeatedWhenMaybeApplied(t *testing.T) {
	s, svc := newServer(t)
	seed(t, s)
	fault := wecomtest.FaultBusy
	fault.AfterApply = true
	s.FailNext(pathAddTask, 1, fault)
	_, err := svc.AddMomentTask(ctx(t), &AddMomentTaskRequest{Text: &message.Text{Content: "hi"}})
	require.Error(t, err)
	assert.True(t, wecom.IsMaybeApplied(err))
	assert.Len(t, s.RequestsTo(pathAddTask), 1)

	// A frequency limit means WeCom did nothing: that one is repeated.
	s.FailNext(pathAddTask, 1, wecomtest.FaultRateLimited)
	_, err = svc.AddMomentTask(ctx(t), &AddMomentTaskRequest{Text: &message.Text{Content: "hi"}})
	require.NoError(t, err)
	assert.Len(t, s.RequestsTo(pathAddTask), 3)
}

func TestGetMomentTaskResultDecodes(t *testing.T) {
	f, svc := newFake(t, pathTaskResult, testdata(t, "get_moment_task_result.json"))
	r, err := svc.GetMomentTaskResult(ctx(t), "job-1")
	require.NoError(t, err)

	reqs := f.requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, http.MethodGet, reqs[0].Method)
	assert.Equal(t, pathTaskResult, reqs[0].Path)
	assert.Equal(t, "jobid=job-1", reqs[0].Query.Encode())
	assert.Empty(t, reqs[0].Body)

	assert.Equal(t, TaskStatusDone, r.Status)
	assert.Equal(t, "add_moment_task", r.Type)
	assert.Equal(t, wecom.Code(0), r.Result.Code)
	assert.Equal(t, "ok", r.Result.Message)
	assert.Equal(t, "momxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", r.Result.MomentID)
	assert.Equal(t, []string{"zhangshan", "lisi"}, r.Result.InvalidSenderList.UserList)
	assert.Equal(t, []int{2, 3}, r.Result.InvalidSenderList.DepartmentList)
	assert.Equal(t, []string{"etXXXXXXXXXX", "etYYYYYYYYYY"}, r.Result.InvalidExternalContactList.TagList)
	assert.True(t, r.Done())
	assert.NoError(t, r.Err())

	_, err = svc.GetMomentTaskResult(ctx(t), "")
	assert.ErrorContains(t, err, "job id is empty")
}

func TestGetMomentTaskResultErrors(t *testing.T) {
	s, svc := newServer(t)
	_, err := svc.GetMomentTaskResult(ctx(t), "unknown")
	var we *wecom.Error
	require.ErrorAs(t, err, &we)
	assert.Equal(t, wecom.CodeInvalidParameter, we.Code)
	assert.Equal(t, pathTaskResult, we.Path)
	assert.Len(t, s.RequestsTo(pathTaskResult), 1)
}

func TestTaskStatusAndDone(t *testing.T) {
	assert.Equal(t, "started", TaskStatusStarted.String())
	assert.Equal(t, "running", TaskStatusRunning.String())
	assert.Equal(t, "done", TaskStatusDone.String())
	assert.Equal(t, "TaskStatus(7)", TaskStatus(7).String())

	for _, tc := range []struct {
		name string
		r    MomentTaskResult
		done bool
	}{
		{"started", MomentTaskResult{Status: 1}, false},
		{"running", MomentTaskResult{Status: 2}, false},
		{"done", MomentTaskResult{Status: 3}, true},
		{"unknown status, no result", MomentTaskResult{Status: 9}, false},
		{"status 2 with a moment id", MomentTaskResult{Status: 2, Result: MomentOutcome{MomentID: "mom1"}}, true},
		{"status 2 with an errcode", MomentTaskResult{Status: 2, Result: MomentOutcome{ItemStatus: wecom.ItemStatus{Code: 40058}}}, true},
	} {
		assert.Equal(t, tc.done, tc.r.Done(), tc.name)
	}

	r := MomentTaskResult{Status: 3, Result: MomentOutcome{ItemStatus: wecom.ItemStatus{Code: 40058, Message: "no valid sender"}}}
	var we *wecom.Error
	require.ErrorAs(t, r.Err(), &we)
	assert.Equal(t, wecom.CodeInvalidParameter, we.Code)
	assert.Equal(t, "no valid sender", we.Message)
	assert.Equal(t, pathAddTask, we.Path)
	assert.NoError(t, (&MomentTaskResult{Status: 3}).Err(), "a job without an errcode succeeded")
}

// fakeSleep advances the server clock instead of sleeping and records the
// delays it was asked for.
type fakeSleep struct {
	clock    *wecomtest.Clock
	delays   []time.Duration
	cancel   context.CancelFunc // called on the cancelAt-th sleep, if set
	cancelAt int
}

func (f *fakeSleep) sleep(ctx context.Context, d time.Duration) error {
	f.delays = append(f.delays, d)
	if f.cancel != nil && len(f.delays) == f.cancelAt {
		f.cancel()
		return ctx.Err()
	}
	f.clock.Advance(d)
	return ctx.Err()
}

// useSleep replaces the package's waitSleep until the test ends.
func useSleep(t *testing.T, fn func(context.Context, time.Duration) error) {
	t.Helper()
	waitSleep = fn
	t.Cleanup(func() { waitSleep = nil })
}

func TestWaitMomentTaskPollsWithCappedBackoff(t *testing.T) {
	s, svc := newServer(t)
	f := seed(t, s)
	s.SetMomentTaskDuration(20 * time.Second)
	jobID, err := svc.AddMomentTask(ctx(t), &AddMomentTaskRequest{
		Text: &message.Text{Content: "周末特惠"},
		VisibleRange: &VisibleRange{
			SenderList:          &SenderList{UserList: []string{"zhangsan", "ghost"}, DepartmentList: []int{3, 99}},
			ExternalContactList: &ExternalContactList{TagList: []string{f.vip, "etmissing"}},
		},
	})
	require.NoError(t, err)

	fs := &fakeSleep{clock: s.Clock()}
	useSleep(t, fs.sleep)
	r, err := svc.WaitMomentTask(ctx(t), &WaitMomentTaskRequest{JobID: jobID, WaitOptions: wecom.WaitOptions{PollInterval: time.Second, MaxPollInterval: 4 * time.Second}})
	require.NoError(t, err)

	// Polls at 0, 1, 3, 7, 11, 15, 19 (running) and 23 (done): delays
	// double from 1s and stop growing at the 4s cap.
	assert.Equal(t, []time.Duration{1 * time.Second, 2 * time.Second, 4 * time.Second, 4 * time.Second, 4 * time.Second, 4 * time.Second, 4 * time.Second}, fs.delays)
	polls := s.RequestsTo(pathTaskResult)
	require.Len(t, polls, 8)
	for _, p := range polls {
		assert.Equal(t, "jobid="+jobID, p.Query.Encode())
	}

	assert.Equal(t, TaskStatusDone, r.Status)
	assert.Equal(t, "add_moment_task", r.Type)
	require.NotEmpty(t, r.Result.MomentID)
	assert.Equal(t, []string{"ghost"}, r.Result.InvalidSenderList.UserList)
	assert.Equal(t, []int{99}, r.Result.InvalidSenderList.DepartmentList)
	assert.Equal(t, []string{"etmissing"}, r.Result.InvalidExternalContactList.TagList)

	moments := s.Moments()
	require.Len(t, moments, 1)
	m := moments[0]
	assert.Equal(t, r.Result.MomentID, m.MomentID)
	assert.Equal(t, []string{"zhangsan", "lisi"}, m.Senders)
	assert.Equal(t, []string{f.vip}, m.TagIDs)
	assert.Equal(t, t0.Unix(), m.CreateTime)
	assert.Equal(t, 0, m.VisibleType)
}

func TestWaitMomentTaskReportsEachStatus(t *testing.T) {
	s, svc := newServer(t)
	seed(t, s)
	s.SetMomentTaskDuration(4 * time.Second)
	jobID, err := svc.AddMomentTask(ctx(t), &AddMomentTaskRequest{Text: &message.Text{Content: "x"}})
	require.NoError(t, err)
	var seen []TaskStatus
	for range 3 {
		r, err := svc.GetMomentTaskResult(ctx(t), jobID)
		require.NoError(t, err)
		seen = append(seen, r.Status)
		s.Clock().Advance(2 * time.Second)
	}
	assert.Equal(t, []TaskStatus{TaskStatusStarted, TaskStatusRunning, TaskStatusDone}, seen)
}

func TestWaitMomentTaskStopsOnContextCancel(t *testing.T) {
	s, svc := newServer(t)
	seed(t, s)
	s.SetMomentTaskDuration(time.Hour)
	jobID, err := svc.AddMomentTask(ctx(t), &AddMomentTaskRequest{Text: &message.Text{Content: "x"}})
	require.NoError(t, err)

	c, cancel := context.WithCancel(ctx(t))
	defer cancel()
	fs := &fakeSleep{clock: s.Clock(), cancel: cancel, cancelAt: 3}
	useSleep(t, fs.sleep)
	r, err := svc.WaitMomentTask(c, &WaitMomentTaskRequest{JobID: jobID, WaitOptions: wecom.WaitOptions{PollInterval: time.Second, MaxPollInterval: 8 * time.Second}})
	assert.Nil(t, r)
	require.ErrorIs(t, err, context.Canceled)
	assert.Contains(t, err.Error(), "last status started")
	assert.Equal(t, []time.Duration{time.Second, 2 * time.Second, 4 * time.Second}, fs.delays)
	assert.Len(t, s.RequestsTo(pathTaskResult), 3, "no poll after the context ended")
}

func TestWaitMomentTaskRealSleepHonoursDeadline(t *testing.T) {
	s, svc := newServer(t)
	seed(t, s)
	s.SetMomentTaskDuration(time.Hour)
	jobID, err := svc.AddMomentTask(ctx(t), &AddMomentTaskRequest{Text: &message.Text{Content: "x"}})
	require.NoError(t, err)
	c, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = svc.WaitMomentTask(c, &WaitMomentTaskRequest{JobID: jobID, WaitOptions: wecom.WaitOptions{PollInterval: 10 * time.Millisecond, MaxPollInterval: 20 * time.Millisecond}})
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 2*time.Second)
	assert.GreaterOrEqual(t, len(s.RequestsTo(pathTaskResult)), 2)
}

func TestWaitMomentTaskJobError(t *testing.T) {
	s, svc := newServer(t)
	seed(t, s)
	s.SetMomentTaskDuration(0)
	jobID, err := svc.AddMomentTask(ctx(t), &AddMomentTaskRequest{
		Text:         &message.Text{Content: "x"},
		VisibleRange: &VisibleRange{SenderList: &SenderList{UserList: []string{"ghost"}}},
	})
	require.NoError(t, err)
	r, err := svc.WaitMomentTask(ctx(t), &WaitMomentTaskRequest{JobID: jobID})
	var we *wecom.Error
	require.ErrorAs(t, err, &we)
	assert.Equal(t, wecom.CodeInvalidParameter, we.Code)
	assert.Equal(t, "no valid sender in visible_range", we.Message)
	require.NotNil(t, r, "the result comes with the job's error")
	assert.Empty(t, r.Result.MomentID)
	assert.Equal(t, []string{"ghost"}, r.Result.InvalidSenderList.UserList)
	assert.Empty(t, s.Moments())
}

func TestWaitMomentTaskNotReadyKeepsPolling(t *testing.T) {
	s, svc := newServer(t)
	seed(t, s)
	s.SetMomentTaskDuration(0)
	jobID, err := svc.AddMomentTask(ctx(t), &AddMomentTaskRequest{Text: &message.Text{Content: "x"}})
	require.NoError(t, err)
	s.FailNext(pathTaskResult, 2, wecomtest.Fault{Code: int(wecom.CodeNotReady), Message: "not ready"})
	fs := &fakeSleep{clock: s.Clock()}
	useSleep(t, fs.sleep)
	r, err := svc.WaitMomentTask(ctx(t), &WaitMomentTaskRequest{JobID: jobID})
	require.NoError(t, err)
	assert.NotEmpty(t, r.Result.MomentID)
	assert.Equal(t, []time.Duration{DefaultMomentTaskPollInterval, 2 * DefaultMomentTaskPollInterval}, fs.delays)
}

func TestWaitMomentTaskPollFailure(t *testing.T) {
	s, svc := newServer(t)
	seed(t, s)
	jobID, err := svc.AddMomentTask(ctx(t), &AddMomentTaskRequest{Text: &message.Text{Content: "x"}})
	require.NoError(t, err)
	s.FailNext(pathTaskResult, 1, wecomtest.Fault{Code: int(wecom.CodeAPIForbidden), Message: "api forbidden"})
	useSleep(t, func(context.Context, time.Duration) error { return nil })
	_, err = svc.WaitMomentTask(ctx(t), &WaitMomentTaskRequest{JobID: jobID})
	require.Error(t, err)
	assert.True(t, wecom.IsPermissionDenied(err))
	assert.Contains(t, err.Error(), "moments: wait for moment task "+jobID+": ")

	_, err = svc.WaitMomentTask(ctx(t), &WaitMomentTaskRequest{JobID: ""})
	assert.ErrorContains(t, err, "job id is empty")
	_, err = svc.WaitMomentTask(ctx(t), nil)
	assert.ErrorIs(t, err, wecom.ErrInvalidArgument, "nil is the zero request")
}

func TestWaitMomentTaskPassesCallOptions(t *testing.T) {
	_, svc := newFake(t, pathTaskResult, testdata(t, "get_moment_task_result.json"))
	var raw json.RawMessage
	r, err := svc.WaitMomentTask(ctx(t), &WaitMomentTaskRequest{JobID: "job-1"}, wecom.RawResponse(&raw))
	require.NoError(t, err)
	assert.Equal(t, "momxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", r.Result.MomentID)
	assert.Contains(t, string(raw), `"type": "add_moment_task"`)
}

func TestCancelMomentTask(t *testing.T) {
	s, svc := newServer(t)
	seed(t, s)
	s.SetMomentTaskDuration(0)
	jobID, err := svc.AddMomentTask(ctx(t), &AddMomentTaskRequest{Text: &message.Text{Content: "x"}})
	require.NoError(t, err)
	r, err := svc.WaitMomentTask(ctx(t), &WaitMomentTaskRequest{JobID: jobID})
	require.NoError(t, err)

	require.NoError(t, svc.CancelMomentTask(ctx(t), r.Result.MomentID))
	reqs := s.RequestsTo(pathCancel)
	require.Len(t, reqs, 1)
	assert.Equal(t, http.MethodPost, reqs[0].Method)
	assert.JSONEq(t, `{"moment_id":"`+r.Result.MomentID+`"}`, string(reqs[0].Body))
	assert.True(t, s.Moments()[0].Cancelled)
	assert.Error(t, s.PublishMoment(r.Result.MomentID, "zhangsan"), "a cancelled moment cannot be published")

	err = svc.CancelMomentTask(ctx(t), "momunknown")
	assert.Equal(t, wecom.CodeInvalidParameter, wecom.ErrorCode(err))

	own, err := s.AddMoment(wecomtest.Moment{Creator: "lisi", CreateType: 1, Text: "我的"})
	require.NoError(t, err)
	err = svc.CancelMomentTask(ctx(t), own.MomentID)
	assert.Equal(t, wecom.CodeInvalidParameter, wecom.ErrorCode(err), "a member's own moment cannot be cancelled")

	err = svc.CancelMomentTask(ctx(t), "")
	assert.ErrorContains(t, err, "moment id is empty")

	// Cancel is not repeated when its outcome is unknown.
	s.ResetRequests()
	fault := wecomtest.FaultBusy
	s.FailNext(pathCancel, 1, fault)
	err = svc.CancelMomentTask(ctx(t), r.Result.MomentID)
	assert.True(t, wecom.IsBusy(err))
	assert.Len(t, s.RequestsTo(pathCancel), 1)
}

func TestAddMomentTaskContextCanceled(t *testing.T) {
	_, svc := newServer(t)
	c, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := svc.AddMomentTask(c, &AddMomentTaskRequest{Text: &message.Text{Content: "x"}})
	assert.True(t, errors.Is(err, context.Canceled))
}
