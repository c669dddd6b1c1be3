package wire

import "strings"

// secretParams are the query parameters whose values must never be logged or
// put in an error string.
var secretParams = [...]string{"access_token", "corpsecret", "suite_access_token", "provider_access_token", "secret", "encoding_aes_key"}

// Redacted replaces a secret's value in logs and errors.
const Redacted = "REDACTED"

// RedactQuery returns s (a URL or a raw query) with the values of secret
// parameters replaced by REDACTED.
func RedactQuery(s string) string {
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
		for end < len(s) && s[end] != '&' && s[end] != '#' {
			end++
		}
		s = s[:start] + Redacted + s[end:]
		from = start + len(Redacted)
	}
}

// Scrub removes every occurrence of the given secrets from s. Empty secrets
// are ignored. It is used on text that came from the network (error messages,
// transport errors) before it reaches an error string or a log line.
func Scrub(s string, secrets ...string) string {
	for _, sec := range secrets {
		if len(sec) >= 4 && strings.Contains(s, sec) {
			s = strings.ReplaceAll(s, sec, Redacted)
		}
	}
	return s
}
