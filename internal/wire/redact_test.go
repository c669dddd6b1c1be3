package wire

import (
	"net/url"
	"strings"
	"testing"
)

func TestScrubRemovesEveryForm(t *testing.T) {
	sec := "a+b/c=d&e%f-0123"
	forms := []string{sec, url.QueryEscape(sec), url.PathEscape(sec), strings.ToLower(url.QueryEscape(sec))}
	for _, f := range forms {
		got := Scrub("x "+f+" y", sec)
		if got != "x "+Redacted+" y" {
			t.Errorf("Scrub(%q) = %q", f, got)
		}
	}
	if got := Scrub("abc", "abc"); got != "abc" {
		t.Errorf("a secret under 4 bytes is left alone: %q", got)
	}
}

func TestRedactQueryKnowsEveryCredential(t *testing.T) {
	for _, p := range []string{"access_token", "suite_access_token", "provider_access_token", "corpsecret",
		"suite_secret", "provider_secret", "permanent_code", "suite_ticket", "auth_code", "pre_auth_code",
		"jsapi_ticket", "ticket", "code"} {
		in := `Get "https://h/p?x=1&` + p + `=S3CR3T&y=2": EOF`
		got := RedactQuery(in)
		if strings.Contains(got, "S3CR3T") || !strings.Contains(got, p+"="+Redacted+"&y=2\": EOF") {
			t.Errorf("%s: %q", p, got)
		}
	}
	if got := RedactQuery("?errcode=40001&x=1"); got != "?errcode=40001&x=1" {
		t.Errorf("errcode is not code: %q", got)
	}
}
