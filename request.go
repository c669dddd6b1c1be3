package wecom

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Request describes one call for Do.
type Request struct {
	// Method is http.MethodGet or http.MethodPost. Empty means GET when
	// there is no Body or Upload, POST otherwise.
	Method string
	// Path is the endpoint path, such as "/cgi-bin/externalcontact/get".
	Path string
	// Query holds query parameters other than access_token: url.Values, or
	// a struct with `url` tags (github.com/google/go-querystring).
	Query any
	// Body is sent as JSON. A []byte or json.RawMessage is sent as is.
	Body any
	// Upload sends the body as multipart/form-data instead.
	Upload *Upload
	// Idempotent says the call may be repeated safely: it only reads, or
	// repeating it has no further effect. Calls that change data leave it
	// false and are then repeated only when WeCom certainly did not apply
	// them (see RetryPolicy).
	Idempotent bool
	// NoToken leaves access_token out of the query (gettoken itself).
	NoToken bool
}

func (r *Request) method() string {
	if r.Method != "" {
		return r.Method
	}
	if r.Body != nil || r.Upload != nil {
		return http.MethodPost
	}
	return http.MethodGet
}

// CallOption adjusts one call.
type CallOption func(*callOptions)

type callOptions struct {
	raw         *json.RawMessage
	maxAttempts int
}

// RawResponse stores a copy of the response body (the whole JSON payload,
// errcode included) in dst, for fields the SDK does not model yet.
func RawResponse(dst *json.RawMessage) CallOption {
	return func(o *callOptions) { o.raw = dst }
}

// MaxAttempts overrides the retry policy's attempt limit for one call;
// MaxAttempts(1) disables retries (a token refresh may still repeat the
// call once).
func MaxAttempts(n int) CallOption {
	return func(o *callOptions) {
		if n >= 1 {
			o.maxAttempts = n
		}
	}
}

func validateRequest(r *Request, method string) error {
	if !strings.HasPrefix(r.Path, "/") || strings.ContainsAny(r.Path, "?#") {
		return fmt.Errorf("path %q must start with / and carry no query", r.Path)
	}
	if method != http.MethodGet && method != http.MethodPost {
		return fmt.Errorf("method %q is not GET or POST", method)
	}
	if r.Body != nil && r.Upload != nil {
		return errors.New("request has both Body and Upload")
	}
	if method == http.MethodGet && (r.Body != nil || r.Upload != nil) {
		return errors.New("GET request with a body")
	}
	return nil
}

func encodeBody(b any) ([]byte, error) {
	switch v := b.(type) {
	case []byte:
		return v, nil
	case json.RawMessage:
		return v, nil
	default:
		return json.Marshal(b)
	}
}
