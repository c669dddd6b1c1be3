package externalcontact

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/wecomtest"
)

// The three unionid conversions are three APIs with their own shapes:
// each is sent exactly the fields it takes, to its own path.
func TestUnionIDConversionsSendTheirOwnShapes(t *testing.T) {
	ctx := context.Background()
	svc, sent := fakeFile(t, `{"errcode":0,"errmsg":"ok","external_userid":"wmAAA"}`)
	id, err := svc.UnionIDToExternalUserID(ctx, &UnionIDToExternalUserIDRequest{UnionID: "oAAAA", OpenID: "oBBBB"})
	require.NoError(t, err)
	assert.Equal(t, "wmAAA", id)
	assert.Equal(t, "/cgi-bin/externalcontact/unionid_to_external_userid", sent()[0].Path)
	assert.JSONEq(t, `{"unionid":"oAAAA","openid":"oBBBB"}`, string(sent()[0].Body), "no subject_type")

	svc, sent = fakeFile(t, `{"errcode":0,"errmsg":"ok","external_userid":"wmCCC","pending_id":"pCCC"}`)
	r, err := svc.ConvertUnionID(ctx, &ConvertUnionIDRequest{UnionID: "oAAAA", OpenID: "oBBBB", SubjectType: SubjectTypeProvider})
	require.NoError(t, err)
	assert.Equal(t, &ConvertUnionIDResult{ExternalUserID: "wmCCC", PendingID: "pCCC"}, r)
	assert.Equal(t, "/cgi-bin/idconvert/unionid_to_external_userid", sent()[0].Path)
	assert.JSONEq(t, `{"unionid":"oAAAA","openid":"oBBBB","subject_type":1}`, string(sent()[0].Body))
	_, err = svc.ConvertUnionID(ctx, &ConvertUnionIDRequest{UnionID: "oAAAA", OpenID: "oBBBB"})
	require.NoError(t, err)
	assert.JSONEq(t, `{"unionid":"oAAAA","openid":"oBBBB"}`, string(sent()[1].Body), "subject_type 0 is WeCom's default")

	svc, sent = fakeFile(t, `{"errcode":0,"errmsg":"ok","external_userid_info":[{"corpid":"wwAAA","external_userid":"wmAAA"},{"corpid":"wwBBB","external_userid":"wmBBB"}]}`)
	infos, err := svc.CorpGroupUnionIDToExternalUserIDs(ctx, &CorpGroupUnionIDToExternalUserIDsRequest{UnionID: "oAAAA", OpenID: "oBBBB", CorpID: "wwAAA", MassCallTicket: "TICKET"})
	require.NoError(t, err)
	assert.Equal(t, []ExternalUserIDInfo{{"wwAAA", "wmAAA"}, {"wwBBB", "wmBBB"}}, infos)
	assert.Equal(t, "/cgi-bin/corpgroup/unionid_to_external_userid", sent()[0].Path)
	assert.JSONEq(t, `{"unionid":"oAAAA","openid":"oBBBB","corpid":"wwAAA","mass_call_ticket":"TICKET"}`, string(sent()[0].Body))
	_, err = svc.CorpGroupUnionIDToExternalUserIDs(ctx, &CorpGroupUnionIDToExternalUserIDsRequest{UnionID: "oAAAA", OpenID: "oBBBB"})
	require.NoError(t, err)
	assert.JSONEq(t, `{"unionid":"oAAAA","openid":"oBBBB"}`, string(sent()[1].Body))

	svc, sent = fakeFile(t, `{"errcode":0,"errmsg":"ok","pending_id":"pDDD"}`)
	p, err := svc.CorpGroupUnionIDToPendingID(ctx, &CorpGroupUnionIDToPendingIDRequest{UnionID: "oAAAA", OpenID: "oBBBB"})
	require.NoError(t, err)
	assert.Equal(t, "pDDD", p)
	assert.Equal(t, "/cgi-bin/corpgroup/unionid_to_pending_id", sent()[0].Path)
	assert.JSONEq(t, `{"unionid":"oAAAA","openid":"oBBBB"}`, string(sent()[0].Body))

	svc, sent = fakeFile(t, `{"errcode":0,"errmsg":"ok","items":[{"external_userid":"wmOld","new_external_userid":"wmNew"}]}`)
	items, err := svc.GetNewExternalUserIDs(ctx, []string{"wmOld", "wmGone"})
	require.NoError(t, err)
	assert.JSONEq(t, `{"external_userid_list":["wmOld","wmGone"]}`, string(sent()[0].Body))
	assert.Equal(t, []ExternalUserIDMapping{{ExternalUserID: "wmOld", NewExternalUserID: "wmNew"}}, items)
	items, err = svc.GetGroupNewExternalUserIDs(ctx, &GetGroupNewExternalUserIDsRequest{ChatID: "wrAAA", ExternalUserIDs: []string{"wmOld"}})
	require.NoError(t, err)
	assert.Equal(t, "/cgi-bin/externalcontact/groupchat/get_new_external_userid", sent()[1].Path)
	assert.JSONEq(t, `{"chat_id":"wrAAA","external_userid_list":["wmOld"]}`, string(sent()[1].Body))
	assert.Len(t, items, 1)

	svc, sent = fakeFile(t, `{"errcode":0,"errmsg":"ok","items":[{"external_tagid":"etA","open_external_tagid":"etOpenA"}],"invalid_tagid_list":["etX"]}`)
	tags, err := svc.ConvertExternalTagIDs(ctx, []string{"etA", "etX"})
	require.NoError(t, err)
	assert.JSONEq(t, `{"external_tagid_list":["etA","etX"]}`, string(sent()[0].Body))
	assert.Equal(t, &ExternalTagIDsResult{Items: []ExternalTagIDMapping{{"etA", "etOpenA"}}, InvalidExternalTagIDs: []string{"etX"}}, tags, "the other SDKs' name of the list is accepted")

	svc, sent = fakeFile(t, `{"errcode":0,"errmsg":"ok","results":[{"tmp_external_userid":"tmpA","external_userid":"wmA"},{"tmp_external_userid":"tmpB","corpid":"wwB","userid":"zhang"}],"invalid_tmp_external_userid_list":["tmpC"]}`)
	tr, err := svc.ConvertTmpExternalUserIDs(ctx, &ConvertTmpExternalUserIDsRequest{BusinessType: TmpBusinessMeeting, UserType: TmpUserCustomer, TmpExternalUserIDs: []string{"tmpA", "tmpB", "tmpC"}})
	require.NoError(t, err)
	assert.Equal(t, "/cgi-bin/idconvert/convert_tmp_external_userid", sent()[0].Path)
	assert.JSONEq(t, `{"business_type":1,"user_type":1,"tmp_external_userid_list":["tmpA","tmpB","tmpC"]}`, string(sent()[0].Body))
	assert.Equal(t, &ConvertTmpExternalUserIDsResult{Results: []TmpExternalUserIDResult{{TmpExternalUserID: "tmpA", ExternalUserID: "wmA"}, {TmpExternalUserID: "tmpB", CorpID: "wwB", UserID: "zhang"}},
		InvalidTmpExternalIDs: []string{"tmpC"}}, tr)

	svc, sent = fakeFile(t, `{"errcode":0,"errmsg":"ok","result":[{"external_userid":"wmA","pending_id":"pA"}]}`)
	pr, err := svc.ExternalUserIDsToPendingIDs(ctx, &ExternalUserIDsToPendingIDsRequest{ExternalUserIDs: []string{"wmA"}, ChatID: "wrA"})
	require.NoError(t, err)
	assert.Equal(t, []PendingIDMapping{{"wmA", "pA"}}, pr)
	assert.Equal(t, "/cgi-bin/idconvert/batch/external_userid_to_pending_id", sent()[0].Path)
	assert.JSONEq(t, `{"external_userid":["wmA"],"chat_id":"wrA"}`, string(sent()[0].Body))
	_, err = svc.CorpGroupExternalUserIDsToPendingIDs(ctx, &CorpGroupExternalUserIDsToPendingIDsRequest{ExternalUserIDs: []string{"wmA"}})
	require.NoError(t, err)
	assert.Equal(t, "/cgi-bin/corpgroup/batch/external_userid_to_pending_id", sent()[1].Path)
	assert.JSONEq(t, `{"external_userid":["wmA"]}`, string(sent()[1].Body))

	svc, sent = fakeFile(t, `{"errcode":0,"errmsg":"ok","external_userid":"wmCorp"}`)
	own, err := svc.FromServiceExternalUserID(ctx, &FromServiceExternalUserIDRequest{ExternalUserID: "wmSvc", SourceAgentID: 1000005})
	require.NoError(t, err)
	assert.Equal(t, "wmCorp", own)
	assert.JSONEq(t, `{"external_userid":"wmSvc","source_agentid":1000005}`, string(sent()[0].Body))

	assert.Equal(t, "corp", SubjectTypeCorp.String())
	assert.Equal(t, "provider", SubjectTypeProvider.String())
	assert.Equal(t, "SubjectType(2)", SubjectType(2).String())
	assert.Equal(t, []string{"meeting", "form", "TmpBusinessType(3)"}, []string{TmpBusinessMeeting.String(), TmpBusinessForm.String(), TmpBusinessType(3).String()})
	assert.Equal(t, []string{"customer", "linked corp", "corp group", "corp circle", "TmpUserType(5)"},
		[]string{TmpUserCustomer.String(), TmpUserCorpLink.String(), TmpUserCorpGroup.String(), TmpUserCorpCircle.String(), TmpUserType(5).String()})
}

func TestIDConversions(t *testing.T) {
	s, svc := newEnv(t)
	ctx := context.Background()
	addUsers(t, s, "zhangsan")
	wx, err := s.AddCustomer(wecomtest.Customer{Name: "微信客户", UnionID: "ozynqsulJFCZ2z1aYeS8h-nuasdAAA"}, wecomtest.Follow{UserID: "zhangsan"})
	require.NoError(t, err)
	wc, err := s.AddCustomer(wecomtest.Customer{Name: "企业客户", Type: 2})
	require.NoError(t, err)

	id, err := svc.UnionIDToExternalUserID(ctx, &UnionIDToExternalUserIDRequest{UnionID: "ozynqsulJFCZ2z1aYeS8h-nuasdAAA", OpenID: "oOPEN"})
	require.NoError(t, err)
	assert.Equal(t, wx.ExternalUserID, id)
	id, err = svc.UnionIDToExternalUserID(ctx, &UnionIDToExternalUserIDRequest{UnionID: "oUnknown", OpenID: "oOPEN"})
	require.NoError(t, err)
	assert.Empty(t, id)

	cr, err := svc.ConvertUnionID(ctx, &ConvertUnionIDRequest{UnionID: "ozynqsulJFCZ2z1aYeS8h-nuasdAAA", OpenID: "oOPEN"})
	require.NoError(t, err)
	assert.Equal(t, wx.ExternalUserID, cr.ExternalUserID)
	assert.NotEmpty(t, cr.PendingID)
	stranger, err := svc.ConvertUnionID(ctx, &ConvertUnionIDRequest{UnionID: "oStranger", OpenID: "oOPEN"})
	require.NoError(t, err)
	assert.Empty(t, stranger.ExternalUserID, "not a customer yet")
	assert.NotEmpty(t, stranger.PendingID)
	_, err = svc.ConvertUnionID(ctx, &ConvertUnionIDRequest{UnionID: "x", OpenID: "y", SubjectType: 5})
	assert.Equal(t, wecom.CodeInvalidParameter, wecom.ErrorCode(err))
	pid, err := svc.CorpGroupUnionIDToPendingID(ctx, &CorpGroupUnionIDToPendingIDRequest{UnionID: "ozynqsulJFCZ2z1aYeS8h-nuasdAAA", OpenID: "oOPEN"})
	require.NoError(t, err)
	assert.Equal(t, cr.PendingID, pid, "one pending_id per user")
	pids, err := svc.ExternalUserIDsToPendingIDs(ctx, &ExternalUserIDsToPendingIDsRequest{ExternalUserIDs: []string{wx.ExternalUserID, "wmGhost"}})
	require.NoError(t, err)
	assert.Equal(t, []PendingIDMapping{{wx.ExternalUserID, cr.PendingID}}, pids)
	pids, err = svc.CorpGroupExternalUserIDsToPendingIDs(ctx, &CorpGroupExternalUserIDsToPendingIDsRequest{ExternalUserIDs: []string{wx.ExternalUserID}})
	require.NoError(t, err)
	assert.Len(t, pids, 1)

	infos, err := svc.CorpGroupUnionIDToExternalUserIDs(ctx, &CorpGroupUnionIDToExternalUserIDsRequest{UnionID: "ozynqsulJFCZ2z1aYeS8h-nuasdAAA", OpenID: "oOPEN"})
	require.NoError(t, err)
	assert.Equal(t, []ExternalUserIDInfo{{CorpID: s.CorpID, ExternalUserID: wx.ExternalUserID}}, infos)
	infos, err = svc.CorpGroupUnionIDToExternalUserIDs(ctx, &CorpGroupUnionIDToExternalUserIDsRequest{UnionID: "ozynqsulJFCZ2z1aYeS8h-nuasdAAA", OpenID: "oOPEN", CorpID: "wwOther"})
	require.NoError(t, err)
	assert.Empty(t, infos, "limited to the corp asked for")

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
	back, err := svc.FromServiceExternalUserID(ctx, &FromServiceExternalUserIDRequest{ExternalUserID: sid, SourceAgentID: 1000005})
	require.NoError(t, err)
	assert.Equal(t, wx.ExternalUserID, back, "from_service reverses to_service")
	_, err = svc.FromServiceExternalUserID(ctx, &FromServiceExternalUserIDRequest{ExternalUserID: "wmGhost", SourceAgentID: 1000005})
	assert.Equal(t, wecom.CodeInvalidExternalUserID, wecom.ErrorCode(err))

	// A group with a customer and a non-customer external member.
	chat, err := s.AddGroupChat(wecomtest.GroupChat{Name: "群", Owner: "zhangsan", Members: []wecomtest.GroupMember{
		{UserID: "zhangsan", Type: 1}, {UserID: wx.ExternalUserID, Type: 2}, {UserID: "wmStranger", Type: 2, Name: "路人"}}})
	require.NoError(t, err)
	items, err = svc.GetGroupNewExternalUserIDs(ctx, &GetGroupNewExternalUserIDsRequest{ChatID: chat.ChatID, ExternalUserIDs: []string{"wmStranger", "wmNotInGroup"}})
	require.NoError(t, err)
	require.Len(t, items, 1)
	assert.Equal(t, "wmStranger", items[0].ExternalUserID)
	_, err = svc.GetGroupNewExternalUserIDs(ctx, &GetGroupNewExternalUserIDsRequest{ChatID: "wrGhost", ExternalUserIDs: []string{"wmStranger"}})
	assert.Equal(t, wecom.Code(40050), wecom.ErrorCode(err))
	pids, err = svc.ExternalUserIDsToPendingIDs(ctx, &ExternalUserIDsToPendingIDsRequest{ExternalUserIDs: []string{wx.ExternalUserID, wc.ExternalUserID}, ChatID: chat.ChatID})
	require.NoError(t, err)
	assert.Equal(t, []PendingIDMapping{{wx.ExternalUserID, cr.PendingID}}, pids, "only the group's members")

	tmp, err := s.AddTmpExternalUserID(wx.ExternalUserID)
	require.NoError(t, err)
	tr, err := svc.ConvertTmpExternalUserIDs(ctx, &ConvertTmpExternalUserIDsRequest{BusinessType: TmpBusinessForm, UserType: TmpUserCustomer, TmpExternalUserIDs: []string{tmp, "tmpGhost"}})
	require.NoError(t, err)
	assert.Equal(t, []TmpExternalUserIDResult{{TmpExternalUserID: tmp, ExternalUserID: wx.ExternalUserID}}, tr.Results)
	assert.Equal(t, []string{"tmpGhost"}, tr.InvalidTmpExternalIDs)

	g, err := s.AddTagGroup(wecomtest.TagGroup{GroupName: "等级", Tags: []wecomtest.Tag{{Name: "VIP"}}})
	require.NoError(t, err)
	tags, err := svc.ConvertExternalTagIDs(ctx, []string{g.Tags[0].ID, g.GroupID, "etGhost"})
	require.NoError(t, err)
	require.Len(t, tags.Items, 2)
	assert.Equal(t, g.Tags[0].ID, tags.Items[0].ExternalTagID)
	assert.NotEqual(t, g.Tags[0].ID, tags.Items[0].OpenExternalTagID)
	assert.Equal(t, []string{"etGhost"}, tags.InvalidExternalTagIDs)

	n := len(s.Requests())
	for name, f := range map[string]func() error{
		"unionid": func() error {
			_, err := svc.UnionIDToExternalUserID(ctx, &UnionIDToExternalUserIDRequest{OpenID: "y"})
			return err
		},
		"convert no open": func() error { _, err := svc.ConvertUnionID(ctx, &ConvertUnionIDRequest{UnionID: "x"}); return err },
		"corpgroup":       func() error { _, err := svc.CorpGroupUnionIDToExternalUserIDs(ctx, nil); return err },
		"corpgroup pending": func() error {
			_, err := svc.CorpGroupUnionIDToPendingID(ctx, &CorpGroupUnionIDToPendingIDRequest{UnionID: "x"})
			return err
		},
		"pending none": func() error { _, err := svc.ExternalUserIDsToPendingIDs(ctx, nil); return err },
		"pending 101": func() error {
			_, err := svc.CorpGroupExternalUserIDsToPendingIDs(ctx, &CorpGroupExternalUserIDsToPendingIDsRequest{ExternalUserIDs: make([]string, 101)})
			return err
		},
		"tmp": func() error {
			_, err := svc.ConvertTmpExternalUserIDs(ctx, &ConvertTmpExternalUserIDsRequest{BusinessType: 1, UserType: 1})
			return err
		},
		"tmp types": func() error {
			_, err := svc.ConvertTmpExternalUserIDs(ctx, &ConvertTmpExternalUserIDsRequest{TmpExternalUserIDs: []string{"a"}})
			return err
		},
		"tags none": func() error { _, err := svc.ConvertExternalTagIDs(ctx, nil); return err },
		"tags 1001": func() error { _, err := svc.ConvertExternalTagIDs(ctx, make([]string, 1001)); return err },
		"from service": func() error {
			_, err := svc.FromServiceExternalUserID(ctx, &FromServiceExternalUserIDRequest{ExternalUserID: "x"})
			return err
		},
		"group no chat": func() error {
			_, err := svc.GetGroupNewExternalUserIDs(ctx, &GetGroupNewExternalUserIDsRequest{ExternalUserIDs: []string{"x"}})
			return err
		},
		"group no ids": func() error {
			_, err := svc.GetGroupNewExternalUserIDs(ctx, &GetGroupNewExternalUserIDsRequest{ChatID: "x"})
			return err
		},
		"group 1001": func() error {
			_, err := svc.GetGroupNewExternalUserIDs(ctx, &GetGroupNewExternalUserIDsRequest{ChatID: "x", ExternalUserIDs: make([]string, 1001)})
			return err
		},
		"openid":     func() error { _, err := svc.ConvertToOpenID(ctx, ""); return err },
		"to service": func() error { _, err := svc.ToServiceExternalUserID(ctx, ""); return err },
		"new none":   func() error { _, err := svc.GetNewExternalUserIDs(ctx, nil); return err },
		"new 1001":   func() error { _, err := svc.GetNewExternalUserIDs(ctx, make([]string, 1001)); return err },
	} {
		assert.ErrorIs(t, f(), wecom.ErrInvalidArgument, name)
	}
	assert.Len(t, s.Requests(), n, "misuse is caught before sending")
}
