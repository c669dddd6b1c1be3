// Package broken breaks every rule the conformance test checks, once each:
// the test fails unless every rule catches its break here.
package broken

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"time"

	"github.com/wecomkit/wecom"
)

type Service struct{ c *wecom.Client }

// Thing is defined here and in package twin: shared-types.
type Thing struct{ CreateTime int64 }

// Created breaks time-helper: the helper of CreateTime is CreateAt.
func (t Thing) Created() time.Time { return time.Unix(t.CreateTime, 0) }

// NoDocLine has no endpoint line: doc-line.
func (s *Service) NoDocLine(ctx context.Context, id string) error { return nil }

// Positional breaks request-struct: three strings side by side.
//
// WeCom: POST /cgi-bin/externalcontact/positional
func (s *Service) Positional(ctx context.Context, msgID, userID, cursor string) error { return nil }

// WrongNameRequest is Named's request under another name.
type WrongNameRequest struct{ ID string }

// Named breaks request-name and request-param (named in, not req).
//
// WeCom: POST /cgi-bin/externalcontact/named
func (s *Service) Named(ctx context.Context, in *WrongNameRequest) error {
	if in == nil {
		return nil
	}
	return nil
}

// ByValueRequest is passed by value.
type ByValueRequest struct{ ID string }

// ByValue breaks request-param: the request by value.
//
// WeCom: POST /cgi-bin/externalcontact/by_value
func (s *Service) ByValue(ctx context.Context, req ByValueRequest) error { return nil }

// IgnoresNilRequest is IgnoresNil's request.
type IgnoresNilRequest struct{ ID string }

// IgnoresNil breaks nil-request: it reads req.ID without a check.
//
// WeCom: POST /cgi-bin/externalcontact/ignores_nil
func (s *Service) IgnoresNil(ctx context.Context, req *IgnoresNilRequest) error {
	_ = req.ID
	return nil
}

// ListOrphansRequest is ListOrphans's request.
type ListOrphansRequest struct{ Cursor string }

// ListOrphans breaks page-shape: no AllOrphans twin.
//
// WeCom: POST /cgi-bin/externalcontact/list_orphans
func (s *Service) ListOrphans(ctx context.Context, req *ListOrphansRequest) ([]string, string, error) {
	if req == nil {
		req = &ListOrphansRequest{}
	}
	return nil, "", nil
}

// AllThings iterates; fine on its own.
//
// WeCom: POST /cgi-bin/externalcontact/all_things
func (s *Service) AllThings(ctx context.Context, req *AllThingsRequest) iter.Seq2[string, error] {
	_ = wireDeref(req)
	return nil
}

// AllThingsRequest is AllThings's request.
type AllThingsRequest struct{ Cursor string }

func wireDeref(r *AllThingsRequest) AllThingsRequest { return AllThingsRequest{} }

// WithPollInterval breaks no-with: With... configures a Client.
func WithPollInterval(d time.Duration) func() { return nil }

// handError breaks no-hand-error.
func handError() error { return &wecom.Error{Code: 1} }

// plainErrors break arg-errors twice.
func plainErrors() (error, error) { return errors.New("bad"), fmt.Errorf("bad %d", 1) }

// builtPath breaks path-whole.
func builtPath(p string) string { return "/cgi-bin/externalcontact/" + p }
