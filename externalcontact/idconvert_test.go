package externalcontact

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/wecomtest"
)

func TestUnionIDResultShapes(t *testing.T) {
	// The list shape.
	svc, sent := fakeFile(t, `{"errcode":0,"errmsg":"ok","external_userid_info":[{"corpid":"wwAAA","external_userid":"wmAAA"},{"corpid":"wwBBB","external_userid":"wmBBB"}]}`)
	r, err := svc.UnionIDToExternalUserID(context.Background(), &UnionIDToExternalUserIDRequest{UnionID: "oAAAA", OpenID: "oBBBB", SubjectType: SubjectTypeProvider})
	require.NoError(t, err)
	assert.Equal(t, "/cgi-bin/externalcontact/unionid_to_external_userid", sent()[0].Path)
	assert.JSONEq(t, `{"unionid":"oAAAA","openid":"oBBBB","subject_type":1}`, string(sent()[0].Body))
	assert.Equal(t, []ExternalUserIDInfo{{"wwAAA", "wmAAA"}, {"wwBBB", "wmBBB"}}, r.ExternalUserIDInfo)

	// The single-id shape with a pending id (?).
	svc, _ = fakeFile(t, `{"errcode":0,"errmsg":"ok","external_userid":"wmCCC","pending_id":"pCCC"}`)
	r, err = svc.UnionIDToExternalUserID(context.Background(), &UnionIDToExternalUserIDRequest{UnionID: "oAAAA", OpenID: "oBBBB"})
	require.NoError(t, err)
	assert.Equal(t, "wmCCC", r.ExternalUserID)
	assert.Equal(t, "pCCC", r.PendingID)

	svc, sent = fakeFile(t, `{"errcode":0,"errmsg":"ok","items":[{"external_userid":"wmOld","new_external_userid":"wmNew"}]}`)
	items, err := svc.GetNewExternalUserIDs(context.Background(), []string{"wmOld", "wmGone"})
	require.NoError(t, err)
	assert.JSONEq(t, `{"external_userid_list":["wmOld","wmGone"]}`, string(sent()[0].Body))
	assert.Equal(t, []ExternalUserIDMapping{{ExternalUserID: "wmOld", NewExternalUserID: "wmNew"}}, items)
	assert.Equal(t, "corp", SubjectTypeCorp.String())
	assert.Equal(t, "provider", SubjectTypeProvider.String())
	assert.Equal(t, "SubjectType(2)", SubjectType(2).String())
}

func TestIDConversions(t *testing.T) {
	s, svc := newEnv(t)
	ctx := context.Background()
	wx, err := s.AddCustomer(wecomtest.Customer{Name: "微信客户", UnionID: "ozynqsulJFCZ2z1aYeS8h-nuasdAAA"})
	require.NoError(t, err)
	wc, err := s.AddCustomer(wecomtest.Customer{Name: "企业客户", Type: 2})
	require.NoError(t, err)

	r, err := svc.UnionIDToExternalUserID(ctx, &UnionIDToExternalUserIDRequest{UnionID: "ozynqsulJFCZ2z1aYeS8h-nuasdAAA", OpenID: "oOPEN"})
	require.NoError(t, err)
	assert.Equal(t, []ExternalUserIDInfo{{CorpID: s.CorpID, ExternalUserID: wx.ExternalUserID}}, r.ExternalUserIDInfo)
	r, err = svc.UnionIDToExternalUserID(ctx, &UnionIDToExternalUserIDRequest{UnionID: "oUnknown", OpenID: "oOPEN"})
	require.NoError(t, err)
	assert.Empty(t, r.ExternalUserIDInfo)

	open1, err := svc.ConvertToOpenID(ctx, wx.ExternalUserID)
	require.NoError(t, err)
	open2, err := svc.ConvertToOpenID(ctx, wx.ExternalUserID)
	require.NoError(t, err)
	assert.Equal(t, open1, open2, "stable")
	assert.Equal(t, byte('o'), open1[0])
	reqs := s.RequestsTo("/cgi-bin/externalcontact/convert_to_openid")
	assert.JSONEq(t, `{"external_userid":"`+wx.ExternalUserID+`"}`, string(reqs[0].Body))
	_, err = svc.ConvertToOpenID(ctx, wc.ExternalUserID)
	assert.Equal(t, wecom.CodeInvalidExternalUserID, wecom.ErrorCode(err), "a WeCom user has no openid")
	_, err = svc.ConvertToOpenID(ctx, "wmGhost")
	assert.Equal(t, wecom.CodeInvalidExternalUserID, wecom.ErrorCode(err))

	sid, err := svc.ToServiceExternalUserID(ctx, wx.ExternalUserID)
	require.NoError(t, err)
	assert.NotEqual(t, wx.ExternalUserID, sid)
	items, err := svc.GetNewExternalUserIDs(ctx, []string{wx.ExternalUserID, "wmGhost"})
	require.NoError(t, err)
	assert.Equal(t, []ExternalUserIDMapping{{ExternalUserID: wx.ExternalUserID, NewExternalUserID: sid}}, items, "the same migration")
	_, err = svc.ToServiceExternalUserID(ctx, "wmGhost")
	assert.Equal(t, wecom.CodeInvalidExternalUserID, wecom.ErrorCode(err))

	n := len(s.Requests())
	_, err = svc.UnionIDToExternalUserID(ctx, &UnionIDToExternalUserIDRequest{UnionID: "x"})
	assert.Error(t, err)
	_, err = svc.ConvertToOpenID(ctx, "")
	assert.Error(t, err)
	_, err = svc.ToServiceExternalUserID(ctx, "")
	assert.Error(t, err)
	_, err = svc.GetNewExternalUserIDs(ctx, nil)
	assert.Error(t, err)
	_, err = svc.GetNewExternalUserIDs(ctx, make([]string, 1001))
	assert.Error(t, err)
	assert.Len(t, s.Requests(), n)
	_, err = svc.UnionIDToExternalUserID(ctx, &UnionIDToExternalUserIDRequest{UnionID: "x", OpenID: "y", SubjectType: 5})
	assert.Equal(t, wecom.CodeInvalidParameter, wecom.ErrorCode(err))
}
