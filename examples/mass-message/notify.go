package main

import (
	"context"
	"log/slog"
	"os"
	"slices"
	"strconv"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/appmessage"
	"github.com/wecomkit/wecom/examples/internal/demo"
	"github.com/wecomkit/wecom/externalcontact"
	"github.com/wecomkit/wecom/message"
)

// notifyText is the app message each member with a task gets.
const notifyText = "您有一条客户群发待确认：请打开企业微信「工作台 → 客户联系 → 群发助手」确认发送。"

// appAgentID is the agentid of the app whose secret the program uses:
// WECOM_AGENT_ID, or the embedded demo's own; 0 when unknown.
func appAgentID(cfg *demo.Config) int {
	if cfg.Embedded() {
		return cfg.Server.AgentID
	}
	id, _ := strconv.Atoi(os.Getenv("WECOM_AGENT_ID"))
	return id
}

// notifyMembers tells each member who has a task of the mass message, by
// an app message (应用消息) from the app agentID (whose secret the client
// holds), that the message waits for them to confirm it, as SCRMs do:
// WeCom's own reminder is easy to miss. A notice is a courtesy: a failure
// is logged and the program goes on; it is never sent twice by a retry.
func notifyMembers(ctx context.Context, log *slog.Logger, client *wecom.Client, agentID int, ec *externalcontact.Service, msgID string) {
	if agentID <= 0 {
		log.Info("members not notified: set WECOM_AGENT_ID to the agentid of the app whose secret you use")
		return
	}
	var members []string
	for t, err := range ec.AllGroupMsgTasks(ctx, &externalcontact.ListGroupMsgTasksRequest{MsgID: msgID}) {
		if err != nil {
			log.Warn("members not notified: tasks of the mass message", "msgid", msgID, "err", err)
			return
		}
		if t.Status != externalcontact.GroupMsgTaskSent {
			members = append(members, t.UserID)
		}
	}
	svc := appmessage.New(client)
	notified := 0
	for chunk := range slices.Chunk(members, appmessage.MaxUsers) {
		res, err := svc.Send(ctx, &appmessage.SendRequest{
			ToUser:  chunk,
			AgentID: agentID,
			Text:    &message.Text{Content: notifyText},
		})
		if err != nil {
			log.Warn("members not notified", "msgid", msgID, "members", len(chunk), "maybe_sent", wecom.IsMaybeApplied(err), "err", err)
			continue
		}
		notified += len(chunk) - len(res.InvalidUsers) - len(res.UnlicensedUsers)
		if res.Partial() {
			log.Warn("some members not notified", "invalid", res.InvalidUsers, "unlicensed", res.UnlicensedUsers)
		}
	}
	log.Info("members notified", "msgid", msgID, "notified", notified)
}
