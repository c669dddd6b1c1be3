package groupchat

import (
	"context"
	"net/http"

	"github.com/wecomkit/wecom"
)

// MaxTransferChats is the most groups one transfer call takes.
const MaxTransferChats = 100

// FailedChat is a group a transfer could not hand over, with WeCom's
// reason, such as 90500 (the owner has not resigned), 90502 (the owner has
// resigned: use TransferResigned), 90504 (the new owner already owns it),
// 90507 (a transfer is in progress) or 40050 (no such group).
type FailedChat struct {
	ChatID  string     `json:"chat_id"`
	Errcode wecom.Code `json:"errcode"`
	Errmsg  string     `json:"errmsg"`
}

// Err returns the failure as a *wecom.Error naming the endpoint path, for
// the wecom predicates (wecom.HasCode, wecom.ErrorCode).
func (f FailedChat) Err(path string) error {
	return &wecom.Error{Code: f.Errcode, Message: f.Errmsg, Method: http.MethodPost, Path: path}
}

// TransferResigned hands the groups of members who have left to newOwner
// (离职继承). Only groups whose owner has resigned can be transferred; up to
// 100 groups a call. The groups that could not be transferred come back
// with their reasons; the others are newOwner's. List reports a
// transferred group as StatusTransferring, then StatusTransferred.
//
// The call changes data and is not repeated by the SDK unless WeCom
// certainly did not apply it; a failure with MaybeApplied set calls for
// checking the groups' owners (Get) before trying again.
//
// WeCom: POST /cgi-bin/externalcontact/groupchat/transfer
func (s *Service) TransferResigned(ctx context.Context, chatIDs []string, newOwner string, opts ...wecom.CallOption) ([]FailedChat, error) {
	return s.transfer(ctx, "/cgi-bin/externalcontact/groupchat/transfer", chatIDs, newOwner, opts)
}

// TransferOnJob hands groups of current members to newOwner (在职继承), up to
// 100 groups a call. A new owner can take a limited number of groups a day.
// The groups that could not be transferred come back with their reasons.
//
// Not repeated by the SDK unless WeCom certainly did not apply it.
//
// WeCom: POST /cgi-bin/externalcontact/groupchat/onjob_transfer
func (s *Service) TransferOnJob(ctx context.Context, chatIDs []string, newOwner string, opts ...wecom.CallOption) ([]FailedChat, error) {
	return s.transfer(ctx, "/cgi-bin/externalcontact/groupchat/onjob_transfer", chatIDs, newOwner, opts)
}

func (s *Service) transfer(ctx context.Context, path string, chatIDs []string, newOwner string, opts []wecom.CallOption) ([]FailedChat, error) {
	switch {
	case len(chatIDs) == 0:
		return nil, invalid("no chat ids to transfer")
	case len(chatIDs) > MaxTransferChats:
		return nil, invalid("%d chat ids to transfer, at most %d a call", len(chatIDs), MaxTransferChats)
	case newOwner == "":
		return nil, invalid("new owner is empty")
	}
	for _, id := range chatIDs {
		if id == "" {
			return nil, invalid("empty chat id in the list")
		}
	}
	var resp struct {
		FailedChatList []FailedChat `json:"failed_chat_list"`
	}
	err := s.c.Do(ctx, &wecom.Request{
		Method: http.MethodPost,
		Path:   path,
		Body: struct {
			ChatIDList []string `json:"chat_id_list"`
			NewOwner   string   `json:"new_owner"`
		}{chatIDs, newOwner},
	}, &resp, opts...)
	if err != nil {
		return nil, err
	}
	return resp.FailedChatList, nil
}
