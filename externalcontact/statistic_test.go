package externalcontact

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/wecomtest"
)

func TestUserBehaviorsSendsAndDecodes(t *testing.T) {
	st, svc := newStub(t)
	st.file(t, "/cgi-bin/externalcontact/get_user_behavior_data", "get_user_behavior_data.json")
	bs, err := svc.GetUserBehaviors(testCtx(t), &GetUserBehaviorsRequest{UserIDs: []string{"zhangsan", "lisi"}, PartyIDs: []int{1001, 1002},
		StartTime: 1536508800, EndTime: 1536595200})
	require.NoError(t, err)
	assert.Equal(t, jsonOf(t, `{"userid":["zhangsan","lisi"],"partyid":[1001,1002],"start_time":1536508800,"end_time":1536595200}`),
		jsonBody(t, st.requests()[0].Body))
	require.Len(t, bs, 2)
	assert.Equal(t, UserBehavior{StatTime: 1443456000, ChatCnt: 2, MessageCnt: 3, ReplyPercentage: 33.33, AvgReplyTime: 1,
		NegativeFeedbackCnt: 0, NewApplyCnt: 6, NewContactCnt: 5}, bs[0])
	assert.Equal(t, 1.5, bs[1].AvgReplyTime)
	assert.Equal(t, 1, bs[1].NegativeFeedbackCnt)
	assert.Equal(t, time.Unix(1443542400, 0), bs[1].StatAt())

	_, err = svc.GetUserBehaviors(testCtx(t), &GetUserBehaviorsRequest{PartyIDs: []int{1}, StartTime: 1, EndTime: 1})
	require.NoError(t, err)
	assert.Equal(t, jsonOf(t, `{"partyid":[1],"start_time":1,"end_time":1}`), jsonBody(t, st.requests()[1].Body))
}

func TestUserBehaviorsValidation(t *testing.T) {
	st, svc := newStub(t)
	day := int64(86400)
	for name, req := range map[string]*GetUserBehaviorsRequest{
		"nil":      nil,
		"nobody":   {StartTime: 1, EndTime: 2},
		"no start": {UserIDs: []string{"a"}, EndTime: 2},
		"reversed": {UserIDs: []string{"a"}, StartTime: 5, EndTime: 2},
		"31 days":  {UserIDs: []string{"a"}, StartTime: 1, EndTime: 1 + 30*day + 1},
	} {
		_, err := svc.GetUserBehaviors(testCtx(t), req)
		assert.Error(t, err, name)
	}
	assert.Empty(t, st.requests())
}

func TestUserBehaviorsRoundTrip(t *testing.T) {
	s, svc := newEnv(t)
	require.NoError(t, s.AddUser(wecomtest.User{UserID: "zhangsan", CustomerContact: true, DepartmentIDs: []int{2}}))
	require.NoError(t, s.AddUser(wecomtest.User{UserID: "lisi", CustomerContact: true, DepartmentIDs: []int{3}}))
	ctx := testCtx(t)
	// testStart is 09:00 Beijing time: two customers today, one tomorrow.
	addCustomer(t, s, "a", "zhangsan")
	addCustomer(t, s, "b", "zhangsan", "lisi")
	s.Clock().Advance(24 * time.Hour)
	addCustomer(t, s, "c", "lisi")
	s.SetBehavior("zhangsan", testStart, wecomtest.Behavior{ChatCnt: 4, MessageCnt: 20, ReplyPercentage: 50, AvgReplyTime: 10, NewApplyCnt: 1})
	s.SetBehavior("lisi", testStart, wecomtest.Behavior{ChatCnt: 1, MessageCnt: 2, ReplyPercentage: 100, AvgReplyTime: 2})
	s.SendEvent(wecomtest.Event{Event: "change_external_contact", ChangeType: "del_follow_user", CreateTime: testStart.Unix(),
		Fields: []wecomtest.Field{{Name: "UserID", Value: "lisi"}, {Name: "ExternalUserID", Value: "x"}}})

	day0 := time.Date(2026, 3, 2, 0, 0, 0, 0, testStart.Location()).Unix()
	bs, err := svc.GetUserBehaviors(ctx, &GetUserBehaviorsRequest{UserIDs: []string{"zhangsan"}, StartTime: day0, EndTime: day0 + 86400})
	require.NoError(t, err)
	require.Len(t, bs, 2)
	assert.Equal(t, UserBehavior{StatTime: day0, ChatCnt: 4, MessageCnt: 20, ReplyPercentage: 50, AvgReplyTime: 10, NewApplyCnt: 1, NewContactCnt: 2}, bs[0])
	assert.Equal(t, UserBehavior{StatTime: day0 + 86400}, bs[1])

	bs, err = svc.GetUserBehaviors(ctx, &GetUserBehaviorsRequest{UserIDs: []string{"zhangsan"}, PartyIDs: []int{3}, StartTime: day0, EndTime: day0 + 86400})
	require.NoError(t, err)
	assert.Equal(t, 5, bs[0].ChatCnt)
	assert.Equal(t, 75.0, bs[0].ReplyPercentage, "averaged over members")
	assert.Equal(t, 6.0, bs[0].AvgReplyTime)
	assert.Equal(t, 3, bs[0].NewContactCnt)
	assert.Equal(t, 1, bs[0].NegativeFeedbackCnt)
	assert.Equal(t, 1, bs[1].NewContactCnt)

	_, err = svc.GetUserBehaviors(ctx, &GetUserBehaviorsRequest{UserIDs: []string{"nobody"}, StartTime: day0, EndTime: day0})
	assert.Equal(t, wecom.CodeUserNotFound, wecom.ErrorCode(err))
	s.Clock().Advance(200 * 24 * time.Hour)
	_, err = svc.GetUserBehaviors(ctx, &GetUserBehaviorsRequest{UserIDs: []string{"zhangsan"}, StartTime: day0, EndTime: day0})
	assert.Equal(t, wecom.CodeInvalidParameter, wecom.ErrorCode(err), "older than 180 days")

	client, err := s.Client()
	require.NoError(t, err)
	for _, body := range []string{`{"start_time":1,"end_time":2}`, `{"userid":["zhangsan"],"start_time":0,"end_time":2}`,
		`{"userid":["zhangsan"],"start_time":1,"end_time":99999999}`} {
		err := client.Do(ctx, &wecom.Request{Path: "/cgi-bin/externalcontact/get_user_behavior_data", Body: []byte(body)}, nil)
		assert.Equal(t, wecom.CodeInvalidParameter, wecom.ErrorCode(err), body)
	}
}
