package provider_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/provider"
)

// sampleSuite is a Suite whose every call is answered with the sample
// file of its path (testdata/<path without /cgi-bin/service/>.json).
func sampleSuite(t *testing.T, files map[string]string) *provider.Suite {
	t.Helper()
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/cgi-bin/service/get_suite_token" {
			_, _ = w.Write([]byte(`{"suite_access_token":"SUITE-TOKEN","expires_in":7200}`))
			return
		}
		name, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		_, _ = w.Write(b)
	}))
	t.Cleanup(hs.Close)
	tickets := provider.NewMemoryTicketStore()
	require.NoError(t, tickets.SetTicket(context.Background(), &provider.Ticket{SuiteID: "wwsuite", Value: "T", TimeStamp: nowUnix()}))
	s, err := provider.NewSuite(&provider.SuiteConfig{SuiteID: "wwsuite", SuiteSecret: "x", Tickets: tickets,
		Options: []wecom.Option{wecom.WithBaseURL(hs.URL)}})
	require.NoError(t, err)
	return s
}

func TestLegacyPermanentCodeDecodesEveryField(t *testing.T) {
	s := sampleSuite(t, map[string]string{"/cgi-bin/service/get_permanent_code": "get_permanent_code.json"})
	var raw json.RawMessage
	a, err := s.PermanentCodeLegacy(context.Background(), "AUTH", wecom.RawResponse(&raw))
	require.NoError(t, err)
	assert.Contains(t, string(raw), "future_field", "unknown fields stay reachable")
	assert.Equal(t, "CORP-ACCESS-TOKEN", a.AccessToken)
	assert.Equal(t, int64(7200), a.ExpiresIn)
	assert.Equal(t, "PERMANENT-CODE-0001", a.PermanentCode)
	assert.Equal(t, &provider.DealerCorpInfo{CorpID: "wwdealer0000000001", CorpName: "Dealer Ltd"}, a.DealerCorpInfo)
	assert.Equal(t, provider.AuthCorpInfo{
		CorpID: "wwcorp000000000001", CorpName: "Acme", CorpType: "verified", CorpSquareLogoURL: "https://p.qlogo.cn/bizmail/acme/0",
		CorpUserMax: 50, CorpFullName: "Acme Trading Co., Ltd.", VerifiedEndTime: 1735660800, SubjectType: 1,
		CorpWxQRCode: "https://open.work.weixin.qq.com/wwqr/acme", CorpScale: "1-50人", CorpIndustry: "IT服务",
		CorpSubIndustry: "计算机软件/硬件/信息服务", Location: "广东省广州市",
	}, a.AuthCorpInfo)
	assert.Equal(t, int64(1735660800), a.AuthCorpInfo.VerifiedEndAt().Unix())
	require.Len(t, a.AuthInfo.Agents, 1)
	assert.Equal(t, provider.AuthAgent{
		AgentID: 1000012, Name: "CRM", RoundLogoURL: "https://p.qlogo.cn/round", SquareLogoURL: "https://p.qlogo.cn/square",
		AppID: 1, AuthMode: 1, IsCustomizedApp: false,
		Privilege: &provider.AgentPrivilege{Level: 1, AllowParty: []int{1, 2, 3}, AllowUser: []string{"zhansan", "lisi"},
			AllowTag: []int{1, 2}, ExtraParty: []int{4}, ExtraUser: []string{"wangwu"}, ExtraTag: []int{3}},
		SharedFrom: &provider.SharedFrom{CorpID: "wwupstream00000001", ShareType: 1},
	}, a.AuthInfo.Agents[0])
	assert.Equal(t, &provider.AuthUserInfo{UserID: "aa", OpenUserID: "woAA", Name: "A", Avatar: "https://wework.qpic.cn/aa"}, a.AuthUserInfo)
	assert.Equal(t, &provider.RegisterCodeInfo{RegisterCode: "REGCODE", TemplateID: "tpl01", State: "reg-state"}, a.RegisterCodeInfo)
	require.NotNil(t, a.EditionInfo)
	assert.Equal(t, []provider.EditionAgent{{AgentID: 1000012, EditionID: "RLS65535", EditionName: "Pro", AppStatus: 3, UserLimit: 200,
		ExpiredTime: 1767196800, IsVirtualVersion: true, IsSharedFromOtherCorp: false}}, a.EditionInfo.Agents)
	assert.Equal(t, "install-state", a.State)
}

func TestPermanentCodeDecodesEveryField(t *testing.T) {
	s := sampleSuite(t, map[string]string{"/cgi-bin/service/v2/get_permanent_code": "v2_get_permanent_code.json"})
	a, err := s.PermanentCode(context.Background(), "AUTH")
	require.NoError(t, err)
	assert.Equal(t, &provider.Authorization{
		PermanentCode:    "PERMANENT-CODE-0002",
		AuthCorpInfo:     provider.AuthCorpInfo{CorpID: "wwcorp000000000002", CorpName: "Beta"},
		AuthUserInfo:     &provider.AuthUserInfo{UserID: "bb", OpenUserID: "woBB", Name: "B", Avatar: "https://wework.qpic.cn/bb"},
		RegisterCodeInfo: &provider.RegisterCodeInfo{RegisterCode: "R2", TemplateID: "tpl02", State: "s2"},
		State:            "st2",
	}, a)
}
