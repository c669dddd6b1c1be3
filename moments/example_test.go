package moments_test

import (
	"context"
	"fmt"
	"log"
	"strings"
	"time"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/message"
	"github.com/wecomkit/wecom/moments"
	"github.com/wecomkit/wecom/strategy"
	"github.com/wecomkit/wecom/wecomtest"
)

// startWeCom starts an in-memory WeCom with two members and their
// customers, some tagged VIP, and returns a Service talking to it.
func startWeCom() (srv *wecomtest.Server, svc *moments.Service, vipTag string) {
	srv, err := wecomtest.NewServer()
	if err != nil {
		log.Fatal(err)
	}
	must(srv.AddUser(wecomtest.User{UserID: "zhangsan", Name: "张三", DepartmentIDs: []int{2}, CustomerContact: true}))
	must(srv.AddUser(wecomtest.User{UserID: "lisi", Name: "李四", DepartmentIDs: []int{3}, CustomerContact: true}))
	g, err := srv.AddTagGroup(wecomtest.TagGroup{GroupName: "客户等级", Tags: []wecomtest.Tag{{Name: "VIP"}}})
	must(err)
	vipTag = g.Tags[0].ID
	for i, owner := range []string{"zhangsan", "zhangsan", "zhangsan", "lisi"} {
		f := wecomtest.Follow{UserID: owner}
		if i != 1 {
			f.TagIDs = []string{vipTag}
		}
		_, err := srv.AddCustomer(wecomtest.Customer{Name: fmt.Sprintf("客户%d", i+1)}, f)
		must(err)
	}
	client, err := srv.Client()
	must(err)
	return srv, moments.New(client), vipTag
}

func must(err error) {
	if err != nil {
		log.Fatal(err)
	}
}

// Publish a moment to VIP customers: upload its image, start the task,
// and wait for the moment id.
func ExampleService_WaitMomentTask() {
	srv, svc, vip := startWeCom()
	defer srv.Close()
	srv.SetMomentTaskDuration(300 * time.Millisecond) // WeCom takes a moment too
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	img, err := svc.UploadAttachment(ctx, &moments.UploadAttachmentRequest{
		MediaType: moments.MediaTypeImage, AttachmentType: moments.AttachmentTypeMoment,
		FileName: "poster.png", Reader: strings.NewReader("\x89PNG..."),
	})
	must(err)

	jobID, err := svc.AddMomentTask(ctx, &moments.AddMomentTaskRequest{
		Text:        &message.Text{Content: "新品上市，VIP 专享八折"},
		Attachments: []moments.Attachment{moments.ImageAttachment(img.MediaID)},
		VisibleRange: &moments.VisibleRange{
			SenderList:          &moments.SenderList{UserList: []string{"zhangsan", "lisi", "wangwu"}},
			ExternalContactList: &moments.ExternalContactList{TagList: []string{vip}},
		},
	})
	must(err)

	res, err := svc.WaitMomentTask(ctx, &moments.WaitMomentTaskRequest{JobID: jobID, WaitOptions: wecom.WaitOptions{PollInterval: 50 * time.Millisecond, MaxPollInterval: 200 * time.Millisecond}})
	must(err)
	fmt.Println("status:", res.Status)
	fmt.Println("moment created:", strings.HasPrefix(res.Result.MomentID, "mom"))
	fmt.Println("invalid senders:", res.Result.InvalidSenderList.UserList)

	for task, err := range svc.AllMomentTasks(ctx, &moments.ListMomentTasksRequest{MomentID: res.Result.MomentID}) {
		must(err)
		fmt.Println(task.UserID, task.PublishStatus)
	}
	// Output:
	// status: done
	// moment created: true
	// invalid senders: [wangwu]
	// zhangsan pending
	// lisi pending
}

// A task whose senders are all unknown fails as a whole: the error is a
// *wecom.Error with the job's errcode.
func ExampleMomentTaskResult_Err() {
	srv, svc, _ := startWeCom()
	defer srv.Close()
	srv.SetMomentTaskDuration(0)
	ctx := context.Background()

	jobID, err := svc.AddMomentTask(ctx, &moments.AddMomentTaskRequest{
		Text:         &message.Text{Content: "hello"},
		VisibleRange: &moments.VisibleRange{SenderList: &moments.SenderList{UserList: []string{"nobody"}}},
	})
	must(err)
	res, err := svc.WaitMomentTask(ctx, &moments.WaitMomentTaskRequest{JobID: jobID})
	fmt.Println(int(wecom.ErrorCode(err)), wecom.ErrorCode(err), res.Result.InvalidSenderList.UserList)
	// Output:
	// 40058 invalid parameter [nobody]
}

// Read who can see a moment once its senders have published it.
func ExampleService_AllMomentSendResults() {
	srv, svc, vip := startWeCom()
	defer srv.Close()
	srv.SetMomentTaskDuration(0)
	ctx := context.Background()

	jobID, err := svc.AddMomentTask(ctx, &moments.AddMomentTaskRequest{
		Text:         &message.Text{Content: "会员日"},
		VisibleRange: &moments.VisibleRange{ExternalContactList: &moments.ExternalContactList{TagList: []string{vip}}},
	})
	must(err)
	res, err := svc.WaitMomentTask(ctx, &moments.WaitMomentTaskRequest{JobID: jobID})
	must(err)
	id := res.Result.MomentID
	must(srv.PublishMoment(id, "zhangsan")) // zhangsan publishes it from the WeCom app

	for _, sender := range []string{"zhangsan", "lisi"} {
		inRange, seen := 0, 0
		for _, err := range svc.AllMomentCustomers(ctx, &moments.ListMomentCustomersRequest{MomentID: id, UserID: sender}) {
			must(err)
			inRange++
		}
		for _, err := range svc.AllMomentSendResults(ctx, &moments.ListMomentSendResultsRequest{MomentID: id, UserID: sender}) {
			must(err)
			seen++
		}
		fmt.Printf("%s: %d VIP customers in range, %d can see it\n", sender, inRange, seen)
	}
	// Output:
	// zhangsan: 2 VIP customers in range, 2 can see it
	// lisi: 1 VIP customers in range, 0 can see it
}

// List the moments of the last day, corp and personal, with their
// comments.
func ExampleService_AllMoments() {
	srv, svc, _ := startWeCom()
	defer srv.Close()
	ctx := context.Background()
	m, err := srv.AddMoment(wecomtest.Moment{Creator: "lisi", CreateType: 1, VisibleType: 1, Text: "周末门店活动",
		Location: &wecomtest.MomentLocation{Latitude: "23.10647", Longitude: "113.32446", Name: "广州塔"}})
	must(err)
	customer := srv.FollowsOf("lisi")[0].ExternalUserID
	must(srv.AddMomentComment(m.MomentID, wecomtest.MomentComment{Sender: "lisi", ExternalUserID: customer}))
	must(srv.AddMomentComment(m.MomentID, wecomtest.MomentComment{Sender: "lisi", UserID: "zhangsan", Like: true}))

	now := time.Now().Unix()
	for m, err := range svc.AllMoments(ctx, &moments.ListMomentsRequest{StartTime: now - 86400, EndTime: now + 60}) {
		must(err)
		fmt.Println(m.Creator, m.CreateType, m.VisibleType, m.Text.Content, m.Location.Name)
		c, err := svc.GetMomentComments(ctx, &moments.GetMomentCommentsRequest{MomentID: m.MomentID, UserID: m.Creator})
		must(err)
		fmt.Printf("%d comment(s), %d like(s); liked by %s\n", len(c.CommentList), len(c.LikeList), c.LikeList[0].UserID)
	}
	// Output:
	// lisi personal public 周末门店活动 广州塔
	// 1 comment(s), 1 like(s); liked by zhangsan
}

// Create a moment strategy, then widen its range.
func ExampleService_CreateMomentStrategy() {
	srv, svc, _ := startWeCom()
	defer srv.Close()
	ctx := context.Background()

	id, err := svc.CreateMomentStrategy(ctx, &moments.CreateMomentStrategyRequest{
		StrategyName: "华南区朋友圈",
		AdminList:    []string{"zhangsan"},
		Privilege:    moments.MomentPrivilege{SendMoment: true, ViewMomentList: true},
		Range:        []strategy.Range{strategy.Member("lisi")},
	})
	must(err)
	must(svc.EditMomentStrategy(ctx, &moments.EditMomentStrategyRequest{
		StrategyID: id,
		RangeAdd:   []strategy.Range{strategy.Department(2)},
	}))

	st, err := svc.GetMomentStrategy(ctx, id)
	must(err)
	fmt.Println(st.StrategyName, st.AdminList, st.Privilege.SendMoment, st.Privilege.ManageMomentCoverAndSign)
	for r, err := range svc.AllMomentStrategyRange(ctx, &moments.ListMomentStrategyRangeRequest{StrategyID: id}) {
		must(err)
		fmt.Println(r.Type, r.UserID, r.PartyID)
	}
	// Output:
	// 华南区朋友圈 [zhangsan] true false
	// member lisi 0
	// department  2
}

// Stop a corp moment: members who have not published it yet no longer
// can.
func ExampleService_CancelMomentTask() {
	srv, svc, _ := startWeCom()
	defer srv.Close()
	srv.SetMomentTaskDuration(0)
	ctx := context.Background()

	jobID, err := svc.AddMomentTask(ctx, &moments.AddMomentTaskRequest{Text: &message.Text{Content: "限时秒杀"}})
	must(err)
	res, err := svc.WaitMomentTask(ctx, &moments.WaitMomentTaskRequest{JobID: jobID})
	must(err)
	must(srv.PublishMoment(res.Result.MomentID, "zhangsan"))

	must(svc.CancelMomentTask(ctx, res.Result.MomentID))
	fmt.Println("lisi can still publish:", srv.PublishMoment(res.Result.MomentID, "lisi") == nil)
	for task, err := range svc.AllMomentTasks(ctx, &moments.ListMomentTasksRequest{MomentID: res.Result.MomentID}) {
		must(err)
		fmt.Println(task.UserID, task.PublishStatus)
	}
	// Output:
	// lisi can still publish: false
	// zhangsan published
	// lisi pending
}
