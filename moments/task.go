package moments

import (
	"context"
	"errors"
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
// UploadAttachment(..., AttachmentTypeMoment, ...).
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
	if r == nil {
		return errors.New("moments: add moment task: nil request")
	}
	hasText := r.Text != nil && r.Text.Content != ""
	if !hasText && len(r.Attachments) == 0 {
		return errors.New("moments: add moment task: text and attachments are both empty")
	}
	if r.Text != nil && utf8.RuneCountInString(r.Text.Content) > MaxTextLength {
		return fmt.Errorf("moments: add moment task: text is longer than %d characters", MaxTextLength)
	}
	var kind message.Type
	for i, a := range r.Attachments {
		if err := a.validate(); err != nil {
			return fmt.Errorf("moments: add moment task: attachment %d: %w", i, err)
		}
		if kind != "" && a.MsgType != kind {
			return fmt.Errorf("moments: add moment task: attachments mix %s and %s; a moment carries images, one video or one link", kind, a.MsgType)
		}
		kind = a.MsgType
	}
	switch n := len(r.Attachments); {
	case kind == message.TypeImage && n > MaxImages:
		return fmt.Errorf("moments: add moment task: %d images, at most %d", n, MaxImages)
	case (kind == message.TypeVideo || kind == message.TypeLink) && n > 1:
		return fmt.Errorf("moments: add moment task: %d %s attachments, at most 1", n, kind)
	}
	return nil
}

func (a Attachment) validate() error {
	set := 0
	for _, ok := range []bool{a.Image != nil, a.Video != nil, a.Link != nil} {
		if ok {
			set++
		}
	}
	if set != 1 {
		return fmt.Errorf("msgtype %q needs exactly one of image, video, link", a.MsgType)
	}
	switch a.MsgType {
	case message.TypeImage:
		if a.Image == nil || a.Image.MediaID == "" {
			return errors.New("image needs a media_id")
		}
	case message.TypeVideo:
		if a.Video == nil || a.Video.MediaID == "" {
			return errors.New("video needs a media_id")
		}
	case message.TypeLink:
		if a.Link == nil || a.Link.URL == "" {
			return errors.New("link needs a url")
		}
	default:
		return fmt.Errorf("msgtype %q is not image, video or link", a.MsgType)
	}
	return nil
}

// AddMomentTask asks members to publish a moment to their customers and
// returns the job id of the asynchronous task that creates it. Wait for
// the moment id with WaitMomentTask (or poll GetMomentTaskResult).
//
// The request is checked before it is sent (content not empty, at most 9
// images or one video or one link). The call is not repeated when its
// outcome is unknown: a failure with wecom.IsMaybeApplied means a moment
// may have been created.
//
// WeCom: POST /cgi-bin/externalcontact/add_moment_task
func (s *Service) AddMomentTask(ctx context.Context, req *AddMomentTaskRequest, opts ...wecom.CallOption) (jobID string, err error) {
	if err := req.validate(); err != nil {
		return "", err
	}
	var resp struct {
		JobID string `json:"jobid"`
	}
	err = s.c.Do(ctx, &wecom.Request{
		Method: http.MethodPost,
		Path:   "/cgi-bin/externalcontact/add_moment_task",
		Body:   req,
	}, &resp, opts...)
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
// senders and tags WeCom could not use. ErrCode is the job's own errcode
// (0 when it succeeded); see MomentTaskResult.Err.
type MomentOutcome struct {
	ErrCode                    wecom.Code          `json:"errcode"`
	ErrMsg                     string              `json:"errmsg"`
	MomentID                   string              `json:"moment_id"`
	InvalidSenderList          SenderList          `json:"invalid_sender_list"`
	InvalidExternalContactList ExternalContactList `json:"invalid_external_contact_list"`
}

// Done reports whether the job has ended. Besides status 3, a result that
// already carries a moment id or an errcode counts as ended, so that a
// change in WeCom's numbering cannot make a waiter spin forever.
func (r *MomentTaskResult) Done() bool {
	return r.Status == TaskStatusDone || r.Result.MomentID != "" || r.Result.ErrCode != 0
}

// Err returns the job's own failure as a *wecom.Error (Path names
// add_moment_task), or nil when it succeeded or has not ended.
func (r *MomentTaskResult) Err() error {
	if r.Result.ErrCode == 0 {
		return nil
	}
	msg, hint := wire.SplitHint(r.Result.ErrMsg)
	return &wecom.Error{
		Code:    r.Result.ErrCode,
		Message: msg,
		Hint:    hint,
		Method:  http.MethodPost,
		Path:    "/cgi-bin/externalcontact/add_moment_task",
	}
}

// GetMomentTaskResult returns the state of an add_moment_task job.
//
// WeCom: GET /cgi-bin/externalcontact/get_moment_task_result
func (s *Service) GetMomentTaskResult(ctx context.Context, jobID string, opts ...wecom.CallOption) (*MomentTaskResult, error) {
	if jobID == "" {
		return nil, errors.New("moments: get moment task result: empty job id")
	}
	var resp MomentTaskResult
	err := s.c.Do(ctx, &wecom.Request{
		Method: http.MethodGet,
		Path:   "/cgi-bin/externalcontact/get_moment_task_result",
		Query: struct {
			JobID string `url:"jobid"`
		}{jobID},
		Idempotent: true,
	}, &resp, opts...)
	if err != nil {
		return nil, err
	}
	return &resp, nil
}

// Default polling of WaitMomentTask.
const (
	DefaultPollInitial = 500 * time.Millisecond
	DefaultPollMax     = 10 * time.Second
)

// WaitOption adjusts WaitMomentTask.
type WaitOption func(*waitConfig)

type waitConfig struct {
	initial, max time.Duration
	sleep        func(context.Context, time.Duration) error
	callOpts     []wecom.CallOption
}

// WithPollInterval sets the first delay between polls and the cap the
// doubling delays grow to (defaults DefaultPollInitial, DefaultPollMax).
func WithPollInterval(initial, max time.Duration) WaitOption {
	return func(c *waitConfig) { c.initial, c.max = initial, max }
}

// WithCallOptions passes opts to every get_moment_task_result call.
func WithCallOptions(opts ...wecom.CallOption) WaitOption {
	return func(c *waitConfig) { c.callOpts = append(c.callOpts, opts...) }
}

// WaitMomentTask polls get_moment_task_result until the job ends and
// returns its result. Delays between polls start at DefaultPollInitial and
// double up to DefaultPollMax (see WithPollInterval); the wait ends with
// ctx, so bound it with a deadline.
//
// When the job itself failed, WaitMomentTask returns the result and a
// *wecom.Error with the job's errcode (MomentTaskResult.Err). Invalid
// senders or tags do not fail the job: check Result.InvalidSenderList and
// Result.InvalidExternalContactList. A "not ready" answer (41063/41064)
// counts as still running; any other failed poll ends the wait.
func (s *Service) WaitMomentTask(ctx context.Context, jobID string, opts ...WaitOption) (*MomentTaskResult, error) {
	cfg := waitConfig{initial: DefaultPollInitial, max: DefaultPollMax}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if jobID == "" {
		return nil, errors.New("moments: wait for moment task: empty job id")
	}
	var last *MomentTaskResult
	w := poll.Waiter{Initial: cfg.initial, Max: cfg.max, Sleep: cfg.sleep}
	err := w.Until(ctx, func(ctx context.Context) (bool, error) {
		r, err := s.GetMomentTaskResult(ctx, jobID, cfg.callOpts...)
		if err != nil {
			if wecom.IsNotReady(err) {
				return false, nil
			}
			return false, err
		}
		last = r
		return r.Done(), nil
	})
	if err != nil {
		if last != nil {
			return nil, fmt.Errorf("moments: wait for moment task %s (last status %s): %w", jobID, last.Status, err)
		}
		return nil, fmt.Errorf("moments: wait for moment task %s: %w", jobID, err)
	}
	return last, last.Err()
}

// CancelMomentTask stops a moment the corp published through
// add_moment_task: members who have not published it yet no longer can.
// Moments members created themselves cannot be cancelled.
//
// WeCom: POST /cgi-bin/externalcontact/cancel_moment_task
func (s *Service) CancelMomentTask(ctx context.Context, momentID string, opts ...wecom.CallOption) error {
	if momentID == "" {
		return errors.New("moments: cancel moment task: empty moment id")
	}
	return s.c.Do(ctx, &wecom.Request{
		Method: http.MethodPost,
		Path:   "/cgi-bin/externalcontact/cancel_moment_task",
		Body: struct {
			MomentID string `json:"moment_id"`
		}{momentID},
	}, nil, opts...)
}
