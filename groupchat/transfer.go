package groupchat

import (
	"context"
	"net/http"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/internal/wire"
)

// MaxTransferChats is the most groups one transfer call takes.
const MaxTransferChats = 100

// FailedChat is a group a transfer could not hand over, with WeCom's
// reason in the embedded ItemStatus, such as 90500 (the owner has not
// resigned), 90502 (the owner has resigned: use TransferResignedChats),
// 90504 (the new owner already owns it), 90507 (a transfer is in progress)
// or 40050 (no such group). Err turns it into an error.
type FailedChat struct {
	ChatID string `json:"chat_id"`
	wecom.ItemStatus
}

// TransferResignedChatsRequest names the groups of resigned members and
// their new owner.
type TransferResignedChatsRequest struct {
	// ChatIDs are the groups, 1..MaxTransferChats.
	ChatIDs []string `json:"chat_id_list"`
	// NewOwner is the userid of the member who takes them over, required.
	NewOwner string `json:"new_owner"`
}

// TransferOnJobChatsRequest names groups of current members and their new
// owner.
type TransferOnJobChatsRequest struct {
	// ChatIDs are the groups, 1..MaxTransferChats.
	ChatIDs []string `json:"chat_id_list"`
	// NewOwner is the userid of the member who takes them over, required.
	NewOwner string `json:"new_owner"`
}

// TransferResignedChats hands the groups of members who have left to
// req.NewOwner (WeCom: 分配离职成员的客户群, 离职继承). Only groups whose owner
// has resigned can be transferred; up to 100 groups a call. The groups
// that could not be transferred come back with their reasons
// (FailedChat.Err(path) makes each an error); the others are NewOwner's.
// ListGroupChats reports a transferred group as StatusTransferring, then
// StatusTransferred.
//
// The call changes data and is not repeated by the SDK unless WeCom
// certainly did not apply it; a failure with MaybeApplied set calls for
// checking the groups' owners (GetGroupChat) before trying again.
//
// WeCom: POST /cgi-bin/externalcontact/groupchat/transfer
func (s *Service) TransferResignedChats(ctx context.Context, req *TransferResignedChatsRequest, opts ...wecom.CallOption) ([]FailedChat, error) {
	r := wire.Deref(req)
	if err := checkTransfer("transfer resigned chats", r.ChatIDs, r.NewOwner); err != nil {
		return nil, err
	}
	return s.transfer(ctx, "/cgi-bin/externalcontact/groupchat/transfer", r, opts)
}

// TransferOnJobChats hands groups of current members to req.NewOwner
// (WeCom: 分配在职成员的客户群, 在职继承), up to 100 groups a call. A new owner
// can take a limited number of groups a day. The groups that could not be
// transferred come back with their reasons.
//
// Not repeated by the SDK unless WeCom certainly did not apply it.
//
// WeCom: POST /cgi-bin/externalcontact/groupchat/onjob_transfer
func (s *Service) TransferOnJobChats(ctx context.Context, req *TransferOnJobChatsRequest, opts ...wecom.CallOption) ([]FailedChat, error) {
	r := wire.Deref(req)
	if err := checkTransfer("transfer on-job chats", r.ChatIDs, r.NewOwner); err != nil {
		return nil, err
	}
	return s.transfer(ctx, "/cgi-bin/externalcontact/groupchat/onjob_transfer", r, opts)
}

func checkTransfer(op string, chatIDs []string, newOwner string) error {
	switch {
	case len(chatIDs) == 0:
		return wecom.InvalidArgument("groupchat: %s: no chat ids", op)
	case len(chatIDs) > MaxTransferChats:
		return wecom.InvalidArgument("groupchat: %s: %d chat ids, at most %d a call", op, len(chatIDs), MaxTransferChats)
	case newOwner == "":
		return wecom.InvalidArgument("groupchat: %s: new owner is empty", op)
	}
	for _, id := range chatIDs {
		if id == "" {
			return wecom.InvalidArgument("groupchat: %s: empty chat id in the list", op)
		}
	}
	return nil
}

func (s *Service) transfer(ctx context.Context, path string, body any, opts []wecom.CallOption) ([]FailedChat, error) {
	resp, err := wecom.Call[struct {
		FailedChatList []FailedChat `json:"failed_chat_list"`
	}](ctx, s.c, &wecom.Request{Method: http.MethodPost, Path: path, Body: body}, opts...)
	if err != nil {
		return nil, err
	}
	return resp.FailedChatList, nil
}
