package oauth_test

import (
	"context"
	"fmt"
	"log"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/oauth"
	"github.com/wecomkit/wecom/wecomtest"
)

func ExampleAuthorizeURL() {
	u, err := oauth.AuthorizeURL(&oauth.AuthorizeRequest{
		AppID:       "ww5f3c9a1e2b7d4c60",
		RedirectURI: "https://sidebar.example.com/oauth/callback",
		State:       "k3Jd9",
	})
	fmt.Println(u, err)
	// Output:
	// https://open.weixin.qq.com/connect/oauth2/authorize?appid=ww5f3c9a1e2b7d4c60&redirect_uri=https%3A%2F%2Fsidebar.example.com%2Foauth%2Fcallback&response_type=code&scope=snsapi_base&state=k3Jd9#wechat_redirect <nil>
}

// The redirect handler exchanges the code for the visitor and tells a
// member from a non-member with a type switch.
func ExampleService_GetUserInfo() {
	srv, err := wecomtest.NewServer()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	_ = srv.AddUser(wecomtest.User{UserID: "zhangsan", Name: "张三"})
	client, err := srv.Client(wecom.WithAgentID(srv.AgentID))
	if err != nil {
		log.Fatal(err)
	}
	signIn := oauth.New(client)
	ctx := context.Background()

	// In production the code arrives as ?code=... on the redirect URI.
	code, _ := srv.OAuthCodePrivate("zhangsan")
	id, err := signIn.GetUserInfo(ctx, code)
	if err != nil {
		log.Fatal(err)
	}
	switch v := id.(type) {
	case *oauth.Member:
		fmt.Println("member", v.UserID, v.ExpiresIn)
		d, err := signIn.GetUserDetail(ctx, v.UserTicket)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(d.UserID, d.Email)
	case *oauth.NonMember:
		fmt.Println("not a member", v.OpenID)
	}
	// Output:
	// member zhangsan 1800
	// zhangsan zhangsan@example.com
}
