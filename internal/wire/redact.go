package wire

import (
	"net/url"
	"strings"
)

// secretParams are the query parameters whose values must never be logged or
// put in an error string: every token parameter a Client may send
// (WithTokenParam), the credentials gettoken and the service-provider
// endpoints take, and the codes and tickets that grant access.
var secretParams = [...]string{
	"access_token", "suite_access_token", "provider_access_token",
	"corpsecret", "suite_secret", "provider_secret", "secret",
	"permanent_code", "suite_ticket", "auth_code", "pre_auth_code",
	"jsapi_ticket", "ticket", "code", "encoding_aes_key",
}

// Redacted replaces a secret's value in logs and errors.
const Redacted = "REDACTED"

// RedactQuery returns s (a URL or a raw query) with the values of secret
// parameters replaced by REDACTED.
func RedactQuery(s string) string {
	if !strings.ContainsRune(s, '=') {
		return s
	}
	for _, p := range secretParams {
		s = redactParam(s, p)
	}
	return s
}

func redactParam(s, name string) string {
	from := 0
	for {
		i := strings.Index(s[from:], name+"=")
		if i < 0 {
			return s
		}
		i += from
		// Match whole parameter names only: at the start or after ? or &.
		if i > 0 && s[i-1] != '?' && s[i-1] != '&' {
			from = i + len(name)
			continue
		}
		start := i + len(name) + 1
		end := start
		for end < len(s) && s[end] != '&' && s[end] != '#' && s[end] != ' ' && s[end] != '"' {
			end++
		}
		s = s[:start] + Redacted + s[end:]
		from = start + len(Redacted)
	}
}

// Scrub removes every occurrence of the given secrets from s, in each form
// they take on the wire: as they are, query-escaped, path-escaped, and
// with lower-case %-escapes. Secrets shorter than 4 bytes are ignored. It
// is used on text that came from the network (error messages, transport
// errors) before it reaches an error string or a log line.
func Scrub(s string, secrets ...string) string {
	for _, sec := range secrets {
		if len(sec) < 4 {
			continue
		}
		for _, form := range Forms(sec) {
			if strings.Contains(s, form) {
				s = strings.ReplaceAll(s, form, Redacted)
			}
		}
	}
	return s
}

// Forms returns the distinct forms a secret may take in text: raw,
// url.QueryEscape, url.PathEscape, and those two with lower-case hex.
func Forms(sec string) []string {
	forms := []string{sec}
	add := func(f string) {
		for _, x := range forms {
			if x == f {
				return
			}
		}
		forms = append(forms, f)
	}
	q, p := url.QueryEscape(sec), url.PathEscape(sec)
	add(q)
	add(p)
	add(lowerEscapes(q))
	add(lowerEscapes(p))
	return forms
}

// lowerEscapes turns the hex digits of %XX escapes to lower case.
func lowerEscapes(s string) string {
	if !strings.ContainsRune(s, '%') {
		return s
	}
	b := []byte(s)
	for i := 0; i+2 < len(b); i++ {
		if b[i] == '%' {
			for j := i + 1; j <= i+2; j++ {
				if b[j] >= 'A' && b[j] <= 'F' {
					b[j] += 'a' - 'A'
				}
			}
			i += 2
		}
	}
	return string(b)
}
