package moments

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/internal/poll"
	"github.com/wecomkit/wecom/internal/wire"
	"github.com/wecomkit/wecom/message"
)

// Limits of a moment's content, as WeCom documents them for
// add_moment_task.
const (
	// MaxTextLength is the longest text.content, in characters.
	MaxTextLength = 2000
	// MaxImages is the number of image attachments a moment may carry.
	MaxImages = 9
)

// Link is a moment's link attachment: a title, the page URL and an
// uploaded cover image (upload_attachment, AttachmentTypeMoment). It
// differs from message.Link, which carries a picture URL and description.
type Link struct {
	Title   string `json:"title,omitempty"`
	URL     string `json:"url"`
	MediaID string `json:"media_id,omitempty"`
}

// Attachment is one attachment of a moment: MsgType says which of Image,
// Video and Link is set. A moment carries up to 9 images, or one video,
// or one link, never a mix. Build one with ImageAttachment,
// VideoAttachment or LinkAttachment.
type Attachment struct {
	MsgType message.Type   `json:"msgtype"`
	Image   *message.Image `json:"image,omitempty"`
	Video   *message.Video `json:"video,omitempty"`
	Link    *Link          `json:"link,omitempty"`
}

// ImageAttachment returns an image attachment of a media id uploaded with
// UploadAttachment (AttachmentTypeMoment).
func ImageAttachment(mediaID string) Attachment {
	return Attachment{MsgType: message.TypeImage, Image: &message.Image{MediaID: mediaID}}
}

// VideoAttachment returns a video attachment of an uploaded media id.
func VideoAttachment(mediaID string) Attachment {
	return Attachment{MsgType: message.TypeVideo, Video: &message.Video{MediaID: mediaID}}
}

// LinkAttachment returns a link attachment.
func LinkAttachment(l Link) Attachment { return Attachment{MsgType: message.TypeLink, Link: &l} }

// SenderList names the members who publish a moment, or (in a task
// result) the members and departments WeCom could not use.
type SenderList struct {
	UserList       []string `json:"user_list,omitempty"`
	DepartmentList []int    `json:"department_list,omitempty"`
}

// ExternalContactList limits the customers who see a moment to those with
// one of the corp tags in TagList; in a task result it lists the tags
// WeCom could not use.
type ExternalContactList struct {
	TagList []string `json:"tag_list,omitempty"`
}

// VisibleRange says who publishes a moment and which of their customers
// see it. Without a SenderList every member in the app's visible range
// publishes; without an ExternalContactList all their customers see it.
type VisibleRange struct {
	SenderList          *SenderList          `json:"sender_list,omitempty"`
	ExternalContactList *ExternalContactList `json:"external_contact_list,omitempty"`
}

// AddMomentTaskRequest is a moment the corp asks its members to publish.
// Text and Attachments must not both be empty.
type AddMomentTaskRequest struct {
	Text         *message.Text `json:"text,omitempty"`
	Attachments  []Attachment  `json:"attachments,omitempty"`
	VisibleRange *VisibleRange `json:"visible_range,omitempty"`
}

// validate checks what WeCom would reject, before a call that must not be
// repeated is sent.
func (r *AddMomentTaskRequest) validate() error {
	const op = "moments: add moment task"
	hasText := r.Text != nil && r.Text.Content != ""
	if !hasText && len(r.Attachments) == 0 {
		return wecom.InvalidArgument("%s: text and attachments are both empty", op)
	}
	if r.Text != nil && utf8.RuneCountInString(r.Text.Content) > MaxTextLength {
		return wecom.InvalidArgument("%s: text is longer than %d characters", op, MaxTextLength)
	}
	var kind message.Type
	for i, a := range r.Attachments {
		if msg := a.problem(); msg != "" {
			return wecom.InvalidArgument("%s: attachment %d: %s", op, i, msg)
		}
		if kind != "" && a.MsgType != kind {
			return wecom.InvalidArgument("%s: attachments mix %s and %s; a moment carries images, one video or one link", op, kind, a.MsgType)
		}
		kind = a.MsgType
	}
	switch n := len(r.Attachments); {
	case kind == message.TypeImage && n > MaxImages:
		return wecom.InvalidArgument("%s: %d images, at most %d", op, n, MaxImages)
	case (kind == message.TypeVideo || kind == message.TypeLink) && n > 1:
		return wecom.InvalidArgument("%s: %d %s attachments, at most 1", op, n, kind)
	}
	return nil
}

// problem says what is wrong with a, or "".
func (a Attachment) problem() string {
	set := 0
	for _, ok := range []bool{a.Image != nil, a.Video != nil, a.Link != nil} {
		if ok {
			set++
		}
	}
	if set != 1 {
		return fmt.Sprintf("msgtype %q needs exactly one of image, video, link", a.MsgType)
	}
	switch a.MsgType {
	case message.TypeImage:
		if a.Image == nil || a.Image.MediaID == "" {
			return "image needs a media_id"
		}
	case message.TypeVideo:
		if a.Video == nil || a.Video.MediaID == "" {
			return "video needs a media_id"
		}
	case message.TypeLink:
		if a.Link == nil || a.Link.URL == "" {
			return "link needs a url"
		}
	default:
		return fmt.Sprintf("msgtype %q is not image, video or link", a.MsgType)
	}
	return ""
}

// AddMomentTask asks members to publish a moment to their customers
// (WeCom: 创建发表任务) and returns the job id of the asynchronous task that
// creates it. Wait for the moment id with WaitMomentTask (or poll
// GetMomentTaskResult).
//
// The request is checked before it is sent (content not empty, at most 9
// images or one video or one link). The call is not repeated when its
// outcome is unknown: a failure with wecom.IsMaybeApplied means a moment
// may have been created.
//
// WeCom: POST /cgi-bin/externalcontact/add_moment_task
func (s *Service) AddMomentTask(ctx context.Context, req *AddMomentTaskRequest, opts ...wecom.CallOption) (jobID string, err error) {
	r := wire.Deref(req)
	if err := r.validate(); err != nil {
		return "", err
	}
	resp, err := wecom.Call[struct {
		JobID string `json:"jobid"`
	}](ctx, s.c, &wecom.Request{
		Method: http.MethodPost,
		Path:   "/cgi-bin/externalcontact/add_moment_task",
		Body:   &r,
	}, opts...)
	if err != nil {
		return "", err
	}
	return resp.JobID, nil
}

// TaskStatus is the state of a moment task. WeCom documents 1 (started),
// 2 (running) and 3 (done); other values are kept as they come.
type TaskStatus int

// Task statuses.
const (
	TaskStatusStarted TaskStatus = 1
	TaskStatusRunning TaskStatus = 2
	TaskStatusDone    TaskStatus = 3
)

// String returns "started", "running", "done", or "TaskStatus(n)".
func (s TaskStatus) String() string {
	switch s {
	case TaskStatusStarted:
		return "started"
	case TaskStatusRunning:
		return "running"
	case TaskStatusDone:
		return "done"
	}
	return "TaskStatus(" + strconv.Itoa(int(s)) + ")"
}

// MomentTaskResult is the state of an add_moment_task job.
type MomentTaskResult struct {
	Status TaskStatus `json:"status"`
	// Type is the job's kind, "add_moment_task".
	Type   string        `json:"type"`
	Result MomentOutcome `json:"result"`
}

// MomentOutcome is what a finished task produced: the moment id, and the
// senders and tags WeCom could not use. The embedded ItemStatus is the
// job's own errcode and errmsg (Code 0 when it succeeded); see
// MomentTaskResult.Err.
type MomentOutcome struct {
	wecom.ItemStatus
	MomentID                   string              `json:"moment_id"`
	InvalidSenderList          SenderList          `json:"invalid_sender_list"`
	InvalidExternalContactList ExternalContactList `json:"invalid_external_contact_list"`
}

// Done reports whether the job has ended. Besides status 3, a result that
// already carries a moment id or an errcode counts as ended, so that a
// change in WeCom's numbering cannot make a waiter spin forever.
func (r *MomentTaskResult) Done() bool {
	return r.Status == TaskStatusDone || r.Result.MomentID != "" || r.Result.Code != 0
}

// Err returns the job's own failure as a *wecom.Error whose Path names
// add_moment_task (through wecom.ItemStatus.Err), or nil when it succeeded
// or has not ended.
func (r *MomentTaskResult) Err() error {
	return r.Result.Err("/cgi-bin/externalcontact/add_moment_task")
}

// GetMomentTaskResult returns the state of an add_moment_task job (WeCom:
// 获取任务创建结果).
//
// WeCom: GET /cgi-bin/externalcontact/get_moment_task_result
func (s *Service) GetMomentTaskResult(ctx context.Context, jobID string, opts ...wecom.CallOption) (*MomentTaskResult, error) {
	if jobID == "" {
		return nil, wecom.InvalidArgument("moments: get moment task result: job id is empty")
	}
	return wecom.Call[MomentTaskResult](ctx, s.c, &wecom.Request{
		Method: http.MethodGet,
		Path:   "/cgi-bin/externalcontact/get_moment_task_result",
		Query: struct {
			JobID string `url:"jobid"`
		}{jobID},
		Idempotent: true,
	}, opts...)
}

// Default polling of WaitMomentTask.
const (
	// DefaultMomentTaskPollInterval is the first delay between polls.
	DefaultMomentTaskPollInterval = 500 * time.Millisecond
	// DefaultMomentTaskMaxPollInterval is the cap the doubling delays grow to.
	DefaultMomentTaskMaxPollInterval = 10 * time.Second
)

// WaitMomentTaskRequest names the job WaitMomentTask waits for.
type WaitMomentTaskRequest struct {
	// JobID is AddMomentTask's result, required.
	JobID string
	// WaitOptions tunes the polling: zero fields take
	// DefaultMomentTaskPollInterval and DefaultMomentTaskMaxPollInterval.
	wecom.WaitOptions
}

// waitSleep is the sleep between polls; tests replace it with a fake.
var waitSleep func(ctx context.Context, d time.Duration) error

// WaitMomentTask polls get_moment_task_result until the job req.JobID
// ends and returns its result. Delays between polls start at
// req.PollInterval and double up to req.MaxPollInterval; the wait ends
// with ctx, so bound it with a deadline. opts go to every poll.
//
// When the job itself failed, WaitMomentTask returns the result and a
// *wecom.Error with the job's errcode (MomentTaskResult.Err). Invalid
// senders or tags do not fail the job: check Result.InvalidSenderList and
// Result.InvalidExternalContactList. A "not ready" answer (41063/41064)
// counts as still running; any other failed poll ends the wait.
//
// WeCom: GET /cgi-bin/externalcontact/get_moment_task_result (polled)
func (s *Service) WaitMomentTask(ctx context.Context, req *WaitMomentTaskRequest, opts ...wecom.CallOption) (*MomentTaskResult, error) {
	r := wire.Deref(req)
	if r.PollInterval <= 0 {
		r.PollInterval = DefaultMomentTaskPollInterval
	}
	if r.MaxPollInterval <= 0 {
		r.MaxPollInterval = DefaultMomentTaskMaxPollInterval
	}
	if r.JobID == "" {
		return nil, wecom.InvalidArgument("moments: wait for moment task: job id is empty")
	}
	var last *MomentTaskResult
	w := poll.Waiter{Initial: r.PollInterval, Max: r.MaxPollInterval, Sleep: waitSleep}
	err := w.Until(ctx, func(ctx context.Context) (bool, error) {
		res, err := s.GetMomentTaskResult(ctx, r.JobID, opts...)
		if err != nil {
			if wecom.IsNotReady(err) {
				return false, nil
			}
			return false, err
		}
		last = res
		return res.Done(), nil
	})
	if err != nil {
		if last != nil {
			return nil, fmt.Errorf("moments: wait for moment task %s (last status %s): %w", r.JobID, last.Status, err)
		}
		return nil, fmt.Errorf("moments: wait for moment task %s: %w", r.JobID, err)
	}
	return last, last.Err()
}

// CancelMomentTask stops a moment the corp published through
// add_moment_task (WeCom: 停止发表企业朋友圈): members who have not published
// it yet no longer can. Moments members created themselves cannot be
// cancelled.
//
// WeCom: POST /cgi-bin/externalcontact/cancel_moment_task
func (s *Service) CancelMomentTask(ctx context.Context, momentID string, opts ...wecom.CallOption) error {
	if momentID == "" {
		return wecom.InvalidArgument("moments: cancel moment task: moment id is empty")
	}
	_, err := wecom.Call[struct{}](ctx, s.c, &wecom.Request{
		Method: http.MethodPost,
		Path:   "/cgi-bin/externalcontact/cancel_moment_task",
		Body: struct {
			MomentID string `json:"moment_id"`
		}{momentID},
	}, opts...)
	return err
}
