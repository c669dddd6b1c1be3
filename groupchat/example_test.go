package groupchat_test

import (
	"context"
	"fmt"
	"log"
	"slices"
	"time"

	"github.com/wecomkit/wecom/groupchat"
	"github.com/wecomkit/wecom/message"
	"github.com/wecomkit/wecom/wecomtest"
)

// exampleServer starts a wecomtest server with three members (carol has
// left) and four customer groups, and returns it with a Service.
func exampleServer() (*wecomtest.Server, *groupchat.Service) {
	s, err := wecomtest.NewServer(wecomtest.WithClock(wecomtest.NewManualClock(time.Date(2025, 6, 12, 9, 0, 0, 0, time.UTC))))
	if err != nil {
		log.Fatal(err)
	}
	for _, u := range []wecomtest.User{
		{UserID: "alice", Name: "李爱丽", CustomerContact: true},
		{UserID: "bob", Name: "王博", CustomerContact: true},
		{UserID: "carol", Name: "陈卡罗", CustomerContact: true, Resigned: true},
	} {
		if err := s.AddUser(u); err != nil {
			log.Fatal(err)
		}
	}
	day := time.Date(2025, 6, 10, 10, 0, 0, 0, time.UTC).Unix()
	for i, owner := range []string{"alice", "bob", "carol", "carol"} {
		_, err := s.AddGroupChat(wecomtest.GroupChat{
			ChatID: fmt.Sprintf("wrChat%d", i+1), Name: fmt.Sprintf("会员群%d", i+1), Owner: owner, CreateTime: day,
			Members: []wecomtest.GroupMember{
				{UserID: owner, Type: 1, JoinTime: day, JoinScene: 1, Name: owner},
				{UserID: "wmCustomer1", Type: 2, JoinTime: day + 60, JoinScene: 3, Invitor: owner, GroupNickname: "老张", Name: "张三"},
			},
		})
		if err != nil {
			log.Fatal(err)
		}
	}
	c, err := s.Client()
	if err != nil {
		log.Fatal(err)
	}
	return s, groupchat.New(c)
}

func ExampleService_AllGroupChats() {
	s, svc := exampleServer()
	defer s.Close()

	for chat, err := range svc.AllGroupChats(context.Background(), &groupchat.ListGroupChatsRequest{Limit: 2}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(chat.ChatID, chat.Status)
	}
	// Output:
	// wrChat1 normal
	// wrChat2 normal
	// wrChat3 resigned
	// wrChat4 resigned
}

func ExampleService_GetGroupChat() {
	s, svc := exampleServer()
	defer s.Close()

	chat, err := svc.GetGroupChat(context.Background(), &groupchat.GetGroupChatRequest{ChatID: "wrChat1", NeedName: true})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(chat.Name, "owned by", chat.Owner)
	for _, m := range chat.Members {
		fmt.Printf("%s %s (%s), joined by %s\n", m.Type, m.UserID, m.Name, m.JoinScene)
	}
	// Output:
	// 会员群1 owned by alice
	// user alice (alice), joined by invited
	// customer wmCustomer1 (张三), joined by qrcode
}

func ExampleService_TransferResignedChats() {
	s, svc := exampleServer()
	defer s.Close()
	ctx := context.Background()

	// Hand the groups of members who left to alice.
	var orphans []string
	for chat, err := range svc.AllGroupChats(ctx, &groupchat.ListGroupChatsRequest{StatusFilter: groupchat.StatusFilterResigned}) {
		if err != nil {
			log.Fatal(err)
		}
		orphans = append(orphans, chat.ChatID)
	}
	failed, err := svc.TransferResignedChats(ctx, &groupchat.TransferResignedChatsRequest{ChatIDs: append(orphans, "wrChat1"), NewOwner: "alice"})
	if err != nil {
		log.Fatal(err)
	}
	for _, f := range failed {
		fmt.Println("not transferred:", f.ChatID, f.Code, f.Message)
	}
	for chat, err := range svc.AllGroupChats(ctx, &groupchat.ListGroupChatsRequest{OwnerFilter: &groupchat.OwnerFilter{UserIDList: []string{"alice"}}}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println("alice owns", chat.ChatID, chat.Status)
	}
	// Output:
	// not transferred: wrChat1 90500 group owner not resigned
	// alice owns wrChat1 normal
	// alice owns wrChat3 transferred
	// alice owns wrChat4 transferred
}

func ExampleService_AllDetails() {
	s, svc := exampleServer()
	defer s.Close()

	// Details arrive in the order the calls finish: sort for the output.
	var lines []string
	for chat, err := range svc.AllDetails(context.Background(), &groupchat.AllDetailsRequest{Concurrency: 4}) {
		if err != nil {
			log.Fatal(err)
		}
		lines = append(lines, fmt.Sprintf("%s %s: %d members", chat.ChatID, chat.Name, len(chat.Members)))
	}
	slices.Sort(lines)
	for _, l := range lines {
		fmt.Println(l)
	}
	// Output:
	// wrChat1 会员群1: 2 members
	// wrChat2 会员群2: 2 members
	// wrChat3 会员群3: 2 members
	// wrChat4 会员群4: 2 members
}

func ExampleService_AddJoinWay() {
	s, svc := exampleServer()
	defer s.Close()
	ctx := context.Background()

	id, err := svc.AddJoinWay(ctx, &groupchat.AddJoinWayRequest{JoinWaySettings: groupchat.JoinWaySettings{
		Scene:          groupchat.JoinWaySceneQRCode,
		Remark:         "门店海报",
		AutoCreateRoom: true,
		RoomBaseName:   "会员群",
		RoomBaseID:     5,
		ChatIDList:     []string{"wrChat1", "wrChat2"},
		State:          "store-42",
	}})
	if err != nil {
		log.Fatal(err)
	}
	way, err := svc.GetJoinWay(ctx, id)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(way.Scene, way.ChatIDList, way.State, way.QRCode != "")
	// Output:
	// qrcode [wrChat1 wrChat2] store-42 true
}

func ExampleService_ListOwnerStatistics() {
	s, svc := exampleServer()
	defer s.Close()
	day := time.Date(2025, 6, 10, 0, 0, 0, 0, time.FixedZone("CST", 8*3600))
	if err := s.AddGroupMessages("wrChat2", "wmCustomer1", day.Add(12*time.Hour), 4); err != nil {
		log.Fatal(err)
	}

	page, err := svc.ListOwnerStatistics(context.Background(), &groupchat.ListOwnerStatisticsRequest{
		DayBegin: day.Unix(),
		OrderBy:  groupchat.OrderByMessageTotal,
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, it := range page.Items {
		d := it.Data
		fmt.Printf("%s: %d groups (%d new), %d members, %d messages\n", it.Owner, d.ChatTotal, d.NewChatCount, d.MemberTotal, d.MessageTotal)
	}
	// Output:
	// bob: 1 groups (1 new), 2 members, 4 messages
	// alice: 1 groups (1 new), 2 members, 0 messages
	// carol: 2 groups (2 new), 4 members, 0 messages
}

func ExampleService_AddWelcomeTemplate() {
	s, svc := exampleServer()
	defer s.Close()
	ctx := context.Background()

	id, err := svc.AddWelcomeTemplate(ctx, &groupchat.AddWelcomeTemplateRequest{
		WelcomeTemplate: groupchat.WelcomeTemplate{
			Text: &message.Text{Content: "欢迎 %NICKNAME% 加入会员群！"},
			Link: &message.Link{Title: "新人礼包", URL: "https://example.com/gift"},
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	tpl, err := svc.GetWelcomeTemplate(ctx, id)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(tpl.Text.Content)
	fmt.Println(tpl.Link.Title, tpl.Link.URL)
	// Output:
	// 欢迎 %NICKNAME% 加入会员群！
	// 新人礼包 https://example.com/gift
}
