package provider

import (
	"context"

	"github.com/wecomkit/wecom"
)

// tokenClient is the pipeline of a Suite or a Provider: a Client whose
// token source is the suite's or the provider's. The Client refreshes a
// token WeCom rejects (40082 for these kinds) and repeats the call once.
type tokenClient struct {
	c  *wecom.Client
	ts wecom.TokenSource
}

func (tc *tokenClient) Do(ctx context.Context, req *wecom.Request, out any, opts ...wecom.CallOption) error {
	return tc.c.Do(ctx, req, out, opts...)
}

// call is wecom.Call on a tokenClient.
func call[T any](ctx context.Context, tc *tokenClient, req *wecom.Request, opts ...wecom.CallOption) (*T, error) {
	out := new(T)
	if err := tc.Do(ctx, req, out, opts...); err != nil {
		return nil, err
	}
	return out, nil
}
