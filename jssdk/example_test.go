package jssdk_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/jssdk"
	"github.com/wecomkit/wecom/wecomtest"
)

// A sidebar page's handler signs the URL the page runs at, for
// wx.config and for wx.agentConfig, and renders both into the page.
func ExampleService_SignAgentConfig() {
	srv, err := wecomtest.NewServer()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := srv.Client(wecom.WithAgentID(srv.AgentID))
	if err != nil {
		log.Fatal(err)
	}
	// One Service per client, shared by every request; pass
	// &jssdk.Options{Cache: ...} to share the tickets with a fleet.
	tickets := jssdk.New(client, nil)

	ctx := context.Background()
	page := "https://sidebar.example.com/customer?entry=single_chat_tools#top"
	cfg, err := tickets.SignConfig(ctx, page)
	if err != nil {
		log.Fatal(err)
	}
	agent, err := tickets.SignAgentConfig(ctx, page)
	if err != nil {
		log.Fatal(err)
	}
	b, _ := json.Marshal(agent) // what the page passes to wx.agentConfig
	var fields map[string]any
	_ = json.Unmarshal(b, &fields)
	fmt.Println(cfg.URL)
	fmt.Println(agent.AgentID, len(agent.NonceStr), len(agent.Signature), len(fields))
	fmt.Println(srv.VerifyJSSDKSignature(wecomtest.JSSDKSignature{
		CorpID: agent.CorpID, AgentID: agent.AgentID, Timestamp: agent.Timestamp,
		NonceStr: agent.NonceStr, Signature: agent.Signature, URL: page,
	}))
	// Output:
	// https://sidebar.example.com/customer?entry=single_chat_tools
	// 1000002 16 40 6
	// <nil>
}

// The algorithm, on the documentation's worked example.
func ExampleSign() {
	fmt.Println(jssdk.Sign("sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg",
		"Wm3WZYTPz0wzccnW", 1414587457, "http://mp.weixin.qq.com?params=value"))
	// Output: 0f9de62fce790f9a083d5c99e95740ceb90c27ed
}

// When wx.config or wx.agentConfig fails with "invalid signature", the
// page posts the signature it used back; Reject drops the ticket behind it
// if it is still current, and the page asks for a new signature.
func ExampleService_Reject() {
	srv, err := wecomtest.NewServer()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := srv.Client(wecom.WithAgentID(srv.AgentID))
	if err != nil {
		log.Fatal(err)
	}
	tickets := jssdk.New(client, nil)
	ctx := context.Background()

	sig, err := tickets.SignConfig(ctx, "https://sidebar.example.com/")
	if err != nil {
		log.Fatal(err)
	}
	srv.RevokeJSAPITickets() // WeCom stops accepting the ticket early

	dropped, err := tickets.Reject(ctx, sig)
	fmt.Println(dropped, err)
	fresh, err := tickets.SignConfig(ctx, "https://sidebar.example.com/")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(fresh.Signature != sig.Signature, len(srv.RequestsTo("/cgi-bin/get_jsapi_ticket")))
	// Output:
	// true <nil>
	// true 2
}
