// Command moments-publish asks members to publish a moment (客户朋友圈) with
// an image to their customers who carry a tag, waits for WeCom to create
// it and prints the result as one JSON object on stdout: the moment id,
// the senders and tags WeCom could not use, and whether each sender has
// published it yet. Progress goes to stderr.
//
// Publishing is a task: WeCom creates the moment asynchronously, then each
// sender publishes it from their WeCom app. Run the program again later,
// or read get_moment_task, to see who has.
//
// Against a real WeCom set WECOM_CORP_ID and WECOM_SECRET (the
// customer-contact secret). With neither set it runs against an embedded
// demo WeCom.
//
//	go run ./examples/moments-publish
//	go run ./examples/moments-publish -image poster.jpg -tag etXXXX -senders zhangsan,lisi -text "新品上市"
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/examples/internal/demo"
	"github.com/wecomkit/wecom/externalcontact"
	"github.com/wecomkit/wecom/message"
	"github.com/wecomkit/wecom/moments"
	"github.com/wecomkit/wecom/wecomtest"
)

// demoData is what the embedded WeCom holds.
var demoData = wecomtest.Demo{Users: 8, Customers: 60}

// output is what the program prints.
type output struct {
	JobID    string `json:"jobid"`
	Status   string `json:"status"` // the task's: started, running, done
	MomentID string `json:"moment_id,omitempty"`
	MediaID  string `json:"media_id"`
	TagID    string `json:"tag_id"`
	TagName  string `json:"tag_name,omitempty"`
	// The senders, departments and tags WeCom could not use (left the
	// corp, no customer-contact feature, unknown, deleted tag...).
	InvalidSenders     []string `json:"invalid_senders"`
	InvalidDepartments []int    `json:"invalid_departments"`
	InvalidTags        []string `json:"invalid_tags"`
	// Senders are the members asked to publish, with whether they have.
	Senders []sender `json:"senders"`
	// Errcode and Errmsg are set when the task failed as a whole (no valid
	// sender or tag, say).
	Errcode int    `json:"errcode,omitempty"`
	Errmsg  string `json:"errmsg,omitempty"`
}

type sender struct {
	UserID        string `json:"userid"`
	PublishStatus string `json:"publish_status"` // pending or published
}

type options struct {
	image, text, tag string
	senders          []string
	wait             time.Duration
}

func main() {
	var o options
	flag.StringVar(&o.image, "image", "", "JPG or PNG file to attach (default: a generated 240×240 PNG)")
	flag.StringVar(&o.text, "text", "会员日来啦：全场新品 8 折，欢迎到店体验！", "the moment's text")
	flag.StringVar(&o.tag, "tag", "", "corp tag id: only customers with it see the moment (default: the first corp tag)")
	senders := flag.String("senders", "", "comma-separated userids who publish (default: every member in the app's range)")
	flag.DurationVar(&o.wait, "wait", 5*time.Minute, "how long to wait for WeCom to create the moment")
	verbose := flag.Bool("v", false, "debug logs (one line per WeCom call)")
	flag.Parse()
	if *senders != "" {
		o.senders = strings.Split(*senders, ",")
	}

	log := demo.Logger(*verbose)
	ctx, stop := demo.SignalContext()
	defer stop()

	if err := run(ctx, log, os.Stdout, o); err != nil {
		log.Error("publish failed", "err", err)
		stop()
		os.Exit(1)
	}
}

func run(ctx context.Context, log *slog.Logger, stdout io.Writer, o options) error {
	cfg, closeDemo, err := demo.Load(log, demoData)
	if err != nil {
		return err
	}
	defer closeDemo()
	client, err := wecom.New(cfg.CorpID, cfg.Secret, append(cfg.Options(), wecom.WithLogger(log))...)
	if err != nil {
		return err
	}
	ec, mo := externalcontact.New(client), moments.New(client)

	// 1. The audience: customers with the tag.
	var out output
	if out.TagID, out.TagName, err = pickTag(ctx, ec, o.tag); err != nil {
		return err
	}
	log.Info("audience", "tag_id", out.TagID, "tag_name", out.TagName)

	// 2. The image, uploaded once for moments (its media id does not expire).
	name, r, size, closeImage, err := openImage(o.image)
	if err != nil {
		return err
	}
	defer closeImage()
	att, err := mo.UploadAttachment(ctx, &moments.UploadAttachmentRequest{
		MediaType: moments.MediaTypeImage, AttachmentType: moments.AttachmentTypeMoment,
		FileName: name, Reader: r, Size: size,
	})
	if err != nil {
		return fmt.Errorf("upload %s: %w", name, err)
	}
	out.MediaID = att.MediaID
	log.Info("image uploaded", "file", name, "bytes", size, "media_id", att.MediaID)

	// 3. The task. It is not repeated on an ambiguous failure: a second
	// call would create a second moment.
	req := &moments.AddMomentTaskRequest{
		Text:        &message.Text{Content: o.text},
		Attachments: []moments.Attachment{moments.ImageAttachment(att.MediaID)},
		VisibleRange: &moments.VisibleRange{
			ExternalContactList: &moments.ExternalContactList{TagList: []string{out.TagID}},
		},
	}
	if len(o.senders) > 0 {
		req.VisibleRange.SenderList = &moments.SenderList{UserList: o.senders}
	}
	jobID, err := mo.AddMomentTask(ctx, req)
	if err != nil {
		if wecom.IsMaybeApplied(err) {
			return fmt.Errorf("the moment may have been created; look for it (get_moment_list) before trying again: %w", err)
		}
		return err
	}
	out.JobID = jobID
	log.Info("task started", "jobid", jobID)

	// 4. Wait for WeCom to create the moment (seconds, usually).
	waitCtx, cancel := context.WithTimeout(ctx, o.wait)
	defer cancel()
	res, taskErr := mo.WaitMomentTask(waitCtx, &moments.WaitMomentTaskRequest{JobID: jobID})
	if res == nil {
		return taskErr // the wait itself failed: no result to print
	}
	out.Status = res.Status.String()
	out.MomentID = res.Result.MomentID
	out.InvalidSenders = nonNil(res.Result.InvalidSenderList.UserList)
	out.InvalidDepartments = nonNil(res.Result.InvalidSenderList.DepartmentList)
	out.InvalidTags = nonNil(res.Result.InvalidExternalContactList.TagList)
	out.Senders = []sender{}
	if taskErr != nil {
		// The task failed as a whole; print why, then fail.
		out.Errcode, out.Errmsg = int(res.Result.Code), res.Result.Message
		return errors.Join(json.NewEncoder(stdout).Encode(out), fmt.Errorf("moment task %s: %w", jobID, taskErr))
	}
	if len(out.InvalidSenders)+len(out.InvalidDepartments)+len(out.InvalidTags) > 0 {
		log.Warn("WeCom left some senders or tags out", "senders", out.InvalidSenders,
			"departments", out.InvalidDepartments, "tags", out.InvalidTags)
	}

	// 5. Who has published it. Each sender does so from their app.
	if cfg.Embedded() {
		// Embedded demo only: let the first half of the senders publish,
		// as members would in their app over the day.
		if err := demoPublish(ctx, mo, cfg.Server, out.MomentID); err != nil {
			return err
		}
	}
	published := 0
	for t, err := range mo.AllMomentTasks(ctx, &moments.ListMomentTasksRequest{MomentID: out.MomentID}) {
		if err != nil {
			return fmt.Errorf("list the senders of moment %s: %w", out.MomentID, err)
		}
		if t.PublishStatus == moments.PublishStatusPublished {
			published++
		}
		out.Senders = append(out.Senders, sender{UserID: t.UserID, PublishStatus: t.PublishStatus.String()})
	}
	log.Info("moment created", "moment_id", out.MomentID, "senders", len(out.Senders), "published", published)
	return json.NewEncoder(stdout).Encode(out)
}

// pickTag returns the tag's id and name; with no id, the first corp tag.
func pickTag(ctx context.Context, ec *externalcontact.Service, id string) (tagID, name string, err error) {
	var ids []string
	if id != "" {
		ids = []string{id}
	}
	groups, err := ec.ListCorpTags(ctx, &externalcontact.ListCorpTagsRequest{TagIDs: ids})
	if err != nil {
		return "", "", fmt.Errorf("list corp tags: %w", err)
	}
	for _, g := range groups {
		for _, t := range g.Tags {
			if id == "" || t.ID == id {
				return t.ID, g.GroupName + "/" + t.Name, nil
			}
		}
	}
	if id != "" {
		// Go ahead: WeCom reports an unknown tag in the task result.
		return id, "", nil
	}
	return "", "", errors.New("the corp has no customer tags; create one or pass -tag")
}

// openImage returns the image to upload: the file at path, or a generated
// PNG. A seekable reader lets the SDK repeat the upload after a token
// refresh or a frequency limit.
func openImage(path string) (name string, r io.Reader, size int64, closeFn func(), err error) {
	if path == "" {
		b, err := poster()
		if err != nil {
			return "", nil, 0, nil, err
		}
		return "poster.png", bytes.NewReader(b), int64(len(b)), func() {}, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return "", nil, 0, nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return "", nil, 0, nil, err
	}
	if fi.Size() > moments.MaxImageSize {
		f.Close()
		return "", nil, 0, nil, fmt.Errorf("%s has %d bytes, more than the %d a moment image may have", path, fi.Size(), moments.MaxImageSize)
	}
	return filepath.Base(path), f, fi.Size(), func() { f.Close() }, nil
}

// poster draws a small PNG: a warm gradient with a white band.
func poster() ([]byte, error) {
	const n = 240
	img := image.NewRGBA(image.Rect(0, 0, n, n))
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			c := color.RGBA{R: 255, G: uint8(120 + x/4), B: uint8(60 + y/3), A: 255}
			if y > n*2/5 && y < n*3/5 {
				c = color.RGBA{R: 255, G: 255, B: 255, A: 255}
			}
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// demoPublish makes the first half of a moment's senders publish it in
// the embedded demo WeCom, as members do from their app.
func demoPublish(ctx context.Context, mo *moments.Service, srv *wecomtest.Server, momentID string) error {
	var senders []string
	for t, err := range mo.AllMomentTasks(ctx, &moments.ListMomentTasksRequest{MomentID: momentID}) {
		if err != nil {
			return err
		}
		senders = append(senders, t.UserID)
	}
	for _, id := range senders[:len(senders)/2] {
		if err := srv.PublishMoment(momentID, id); err != nil {
			return err
		}
	}
	return nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
