package externalcontact

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/strategy"
)

// everyCall calls every endpoint of this area once, with valid input.
func everyCall(svc *Service) map[string]func(context.Context) error {
	return map[string]func(context.Context) error{
		"ListFollowUsers": func(ctx context.Context) error { return ignore(svc.ListFollowUsers(ctx)) },
		"ListCustomers":   func(ctx context.Context) error { return ignore(svc.ListCustomers(ctx, "u")) },
		"GetCustomer":     func(ctx context.Context) error { return ignore(svc.GetCustomer(ctx, "wm")) },
		"BatchGetCustomers": func(ctx context.Context) error {
			_, _, err := svc.BatchGetCustomers(ctx, &BatchGetCustomersRequest{UserIDs: []string{"u"}})
			return err
		},
		"Remark": func(ctx context.Context) error {
			return svc.Remark(ctx, &RemarkRequest{UserID: "u", ExternalUserID: "wm"})
		},
		"ListCorpTags": func(ctx context.Context) error { return ignore(svc.ListCorpTags(ctx, nil)) },
		"AddCorpTags": func(ctx context.Context) error {
			return ignore(svc.AddCorpTags(ctx, &AddCorpTagsRequest{GroupName: "g", Tags: []TagSpec{{Name: "t"}}}))
		},
		"EditCorpTag": func(ctx context.Context) error { return svc.EditCorpTag(ctx, &EditCorpTagRequest{ID: "t", Name: "n"}) },
		"DeleteCorpTags": func(ctx context.Context) error {
			return svc.DeleteCorpTags(ctx, &DeleteCorpTagsRequest{TagIDs: []string{"t"}})
		},
		"MarkTags": func(ctx context.Context) error {
			return svc.MarkTags(ctx, &MarkTagsRequest{UserID: "u", ExternalUserID: "wm", AddTags: []string{"t"}})
		},
		"ListStrategyTags": func(ctx context.Context) error { return ignore(svc.ListStrategyTags(ctx, nil)) },
		"AddStrategyTags": func(ctx context.Context) error {
			return ignore(svc.AddStrategyTags(ctx, &AddStrategyTagsRequest{StrategyID: 1, GroupName: "g", Tags: []TagSpec{{Name: "t"}}}))
		},
		"EditStrategyTag": func(ctx context.Context) error {
			return svc.EditStrategyTag(ctx, &EditStrategyTagRequest{ID: "t", Name: "n"})
		},
		"DeleteStrategyTags": func(ctx context.Context) error {
			return svc.DeleteStrategyTags(ctx, &DeleteStrategyTagsRequest{TagIDs: []string{"t"}})
		},
		"ListStrategies": func(ctx context.Context) error {
			_, _, err := svc.ListStrategyIDs(ctx, nil)
			return err
		},
		"GetStrategy": func(ctx context.Context) error { return ignore(svc.GetStrategy(ctx, 1)) },
		"ListStrategyRange": func(ctx context.Context) error {
			_, _, err := svc.ListStrategyRange(ctx, &ListStrategyRangeRequest{StrategyID: 1})
			return err
		},
		"CreateStrategy": func(ctx context.Context) error {
			return ignore(svc.CreateStrategy(ctx, &CreateStrategyRequest{StrategyName: "s", AdminList: []string{"u"}, Range: []strategy.Range{strategy.Member("u")}}))
		},
		"EditStrategy": func(ctx context.Context) error {
			return svc.EditStrategy(ctx, &EditStrategyRequest{StrategyID: 1, StrategyName: "s"})
		},
		"DeleteStrategy": func(ctx context.Context) error { return svc.DeleteStrategy(ctx, 1) },
		"AddContactWay": func(ctx context.Context) error {
			_, _, err := svc.AddContactWay(ctx, &AddContactWayRequest{Type: ContactWaySingle, Scene: ContactWaySceneQRCode, User: []string{"u"}})
			return err
		},
		"GetContactWay": func(ctx context.Context) error { return ignore(svc.GetContactWay(ctx, "c")) },
		"ListContactWays": func(ctx context.Context) error {
			_, _, err := svc.ListContactWayIDs(ctx, nil)
			return err
		},
		"UpdateContactWay": func(ctx context.Context) error {
			return svc.UpdateContactWay(ctx, &UpdateContactWayRequest{ConfigID: "c", Remark: "r"})
		},
		"DeleteContactWay": func(ctx context.Context) error { return svc.DeleteContactWay(ctx, "c") },
		"CloseTempChat": func(ctx context.Context) error {
			return svc.CloseTempChat(ctx, &CloseTempChatRequest{UserID: "u", ExternalUserID: "wm"})
		},
		"UnionIDToExternalUserID": func(ctx context.Context) error {
			return ignore(svc.UnionIDToExternalUserID(ctx, &UnionIDToExternalUserIDRequest{UnionID: "x", OpenID: "y"}))
		},
		"ConvertToOpenID":         func(ctx context.Context) error { return ignore(svc.ConvertToOpenID(ctx, "wm")) },
		"ToServiceExternalUserID": func(ctx context.Context) error { return ignore(svc.ToServiceExternalUserID(ctx, "wm")) },
		"GetNewExternalUserIDs":   func(ctx context.Context) error { return ignore(svc.GetNewExternalUserIDs(ctx, []string{"wm"})) },
	}
}

func TestEveryCallReturnsWeComErrors(t *testing.T) {
	svc, sent := fakeFile(t, `{"errcode":60011,"errmsg":"no privilege to access/modify contact/party/agent, hint: [1700000000_1_abc]"}`)
	for name, call := range everyCall(svc) {
		n := len(sent())
		err := call(context.Background())
		var e *wecom.Error
		if assert.ErrorAs(t, err, &e, name) {
			assert.Equal(t, wecom.CodeNoPrivilege, e.Code, name)
			assert.Equal(t, "1700000000_1_abc", e.Hint, name)
			assert.Contains(t, e.Path, "/cgi-bin/externalcontact/", name)
		}
		assert.Len(t, sent(), n+1, "%s: a permission error is not retried", name)
	}
}

// Reads and set-semantics updates are repeated after "system busy";
// creates and deletes are not, and say they may have been applied.
func TestWhichCallsAreRepeated(t *testing.T) {
	notRepeated := map[string]bool{
		"AddCorpTags": true, "DeleteCorpTags": true, "AddStrategyTags": true, "DeleteStrategyTags": true,
		"CreateStrategy": true, "DeleteStrategy": true, "AddContactWay": true, "DeleteContactWay": true, "CloseTempChat": true,
	}
	svc, sent := fakeFile(t, `{"errcode":-1,"errmsg":"system busy"}`)
	for name, call := range everyCall(svc) {
		n := len(sent())
		err := call(context.Background())
		assert.True(t, wecom.IsBusy(err), "%s: %v", name, err)
		if notRepeated[name] {
			assert.Len(t, sent(), n+1, name)
			assert.True(t, wecom.IsMaybeApplied(err), name)
		} else {
			assert.Len(t, sent(), n+testRetry.MaxAttempts, name)
			assert.False(t, wecom.IsMaybeApplied(err), name)
		}
	}
}
