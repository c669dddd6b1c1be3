package wecom

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
)

// A realistic payload of GET /cgi-bin/externalcontact/get (about 1 KB).
const customerJSON = `{"errcode":0,"errmsg":"ok","external_contact":{"external_userid":"wmqfasd1e19278asdasdas1278ad","name":"李小明","position":"采购经理","avatar":"https://wx.qlogo.cn/mmhead/Q3auHgzwzM6GuU5L1M1y0ibpZ2cL/0","corp_name":"腾讯","corp_full_name":"腾讯科技有限公司","type":2,"gender":1,"unionid":"ozynqsulJFCZ2z1aYeS8h-nuasdAAA"},"follow_user":[{"userid":"zhangsan","remark":"李部长","description":"对接采购事务","createtime":1525779812,"tags":[{"group_name":"标签分组名称","tag_name":"标签名称","tag_id":"etAJ2GCAAAXtWyujaWJHDDGi0mACHAAA","type":1}],"remark_corp_name":"腾讯科技","remark_mobiles":["13800000001","13000000002"],"oper_userid":"zhangsan","add_way":1,"state":"外联二维码1"},{"userid":"lisi","remark":"李总","description":"","createtime":1525881637,"tags":[],"oper_userid":"woAJ2GCAAAd1asdasdjO4wKmE8Aabj9AAA","add_way":3}],"next_cursor":""}`

type benchCustomer struct {
	ExternalContact struct {
		ExternalUserID string `json:"external_userid"`
		Name           string `json:"name"`
		Type           int    `json:"type"`
		Gender         int    `json:"gender"`
	} `json:"external_contact"`
	FollowUser []struct {
		UserID     string `json:"userid"`
		Remark     string `json:"remark"`
		CreateTime int64  `json:"createtime"`
		AddWay     int    `json:"add_way"`
		Tags       []struct {
			TagID string `json:"tag_id"`
		} `json:"tags"`
	} `json:"follow_user"`
	NextCursor string `json:"next_cursor"`
}

func benchServer(b *testing.B) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
		if r.URL.Path == "/cgi-bin/gettoken" {
			_, _ = io.WriteString(w, `{"errcode":0,"errmsg":"ok","access_token":"BENCHTOKEN","expires_in":7200}`)
			return
		}
		_, _ = io.WriteString(w, customerJSON)
	}))
	b.Cleanup(srv.Close)
	return srv
}

// BenchmarkTokenWarm measures the cached-token read every call makes.
func BenchmarkTokenWarm(b *testing.B) {
	srv := benchServer(b)
	c, err := New("ww1", "secret", WithBaseURL(srv.URL))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if _, err := c.AccessToken(ctx); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.tokens.Token(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTokenWarmParallel(b *testing.B) {
	srv := benchServer(b)
	c, err := New("ww1", "secret", WithBaseURL(srv.URL))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if _, err := c.AccessToken(ctx); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := c.tokens.Token(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
}

type getQuery struct {
	ExternalUserID string `url:"external_userid"`
	Cursor         string `url:"cursor,omitempty"`
}

// BenchmarkCall is one typed GET through the whole pipeline (token, query
// building, send, errcode check, decode). Compare with BenchmarkCallRaw.
func BenchmarkCall(b *testing.B) {
	srv := benchServer(b)
	c, err := New("ww1", "secret", WithBaseURL(srv.URL))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var out benchCustomer
		err := c.Do(ctx, &Request{Path: "/cgi-bin/externalcontact/get", Query: getQuery{ExternalUserID: "wmqfasd1e19278asdasdas1278ad"}, Idempotent: true}, &out)
		if err != nil || len(out.FollowUser) != 2 {
			b.Fatal(err)
		}
	}
}

// BenchmarkCallRaw is the baseline: the same request with plain net/http
// and encoding/json, a token already in hand, no retries and no limiter.
func BenchmarkCallRaw(b *testing.B) {
	srv := benchServer(b)
	hc := &http.Client{Transport: defaultTransport()}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		u := srv.URL + "/cgi-bin/externalcontact/get?access_token=" + url.QueryEscape("BENCHTOKEN") +
			"&external_userid=" + url.QueryEscape("wmqfasd1e19278asdasdas1278ad")
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			b.Fatal(err)
		}
		resp, err := hc.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		var out struct {
			ErrCode int    `json:"errcode"`
			ErrMsg  string `json:"errmsg"`
			benchCustomer
		}
		err = json.NewDecoder(resp.Body).Decode(&out)
		resp.Body.Close()
		if err != nil || out.ErrCode != 0 || len(out.FollowUser) != 2 {
			b.Fatal(fmt.Errorf("raw: %v %d", err, out.ErrCode))
		}
	}
}
