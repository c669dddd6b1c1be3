package provider

import (
	"context"

	"github.com/wecomkit/wecom"
)

// tokenClient is the pipeline of a Suite or a Provider: the Client, plus a
// refresh on 40082, which WeCom answers for a suite_access_token or
// provider_access_token it no longer accepts and which the Client does not
// treat as a rejected token. The call is repeated once: WeCom refused it
// before doing anything.
type tokenClient struct {
	c  *wecom.Client
	ts wecom.TokenSource
}

func (tc *tokenClient) Do(ctx context.Context, req *wecom.Request, out any, opts ...wecom.CallOption) error {
	err := tc.c.Do(ctx, req, out, opts...)
	if req.NoToken || wecom.ErrorCode(err) != CodeInvalidSuiteToken {
		return err
	}
	tok, terr := tc.ts.Token(ctx)
	if terr != nil {
		return err
	}
	tc.ts.Invalidate(ctx, tok)
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
