package wecom

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrInvalidArgument is the one sentinel for a call the SDK refused to send
// because an argument is missing or out of range (a required id left empty,
// a list over WeCom's length limit, a page size above the maximum). Every
// package of the SDK wraps it, so one check covers them all:
//
//	if errors.Is(err, wecom.ErrInvalidArgument) { ... }
//
// Such a call never reached WeCom.
var ErrInvalidArgument = errors.New("invalid argument")

// InvalidArgument returns an error that wraps ErrInvalidArgument with a
// message formatted as by fmt.Sprintf. Area packages start the message
// with their name and the operation: "externalcontact: add contact way:
// type is required".
func InvalidArgument(format string, args ...any) error {
	return &argumentError{msg: fmt.Sprintf(format, args...)}
}

type argumentError struct{ msg string }

func (e *argumentError) Error() string { return e.msg }
func (e *argumentError) Unwrap() error { return ErrInvalidArgument }

// ItemStatus is the outcome of one item inside an answer that succeeded as
// a whole: a customer that was not transferred, a group chat that was not
// handed over, the job inside a moment task result. Area types embed it, so
// its fields decode from WeCom's errcode and errmsg.
type ItemStatus struct {
	// Code is the item's errcode; 0 means the item succeeded.
	Code Code `json:"errcode"`
	// Message is the item's errmsg, when WeCom sends one.
	Message string `json:"errmsg,omitempty"`
}

// OK reports whether the item succeeded.
func (s ItemStatus) OK() bool { return s.Code == 0 }

// Err returns nil when the item succeeded, otherwise an *Error with the
// item's code and message for the endpoint at path, so that errors.As and
// the Is* predicates work on it as on any failed call. It is the one way an
// item's failure becomes an error.
func (s ItemStatus) Err(path string) error {
	if s.Code == 0 {
		return nil
	}
	msg := s.Message
	if msg == "" {
		msg = s.Code.String()
	}
	return &Error{Path: path, HTTPStatus: 200, Code: s.Code, Message: msg}
}

// UnixTime turns a WeCom timestamp (Unix seconds) into a time.Time. 0, which
// WeCom sends for "not set", gives the zero time.Time (IsZero reports true),
// never 1970. Area types name their helpers after the field: a field
// CreateTime has a method CreateAt, a field JoinTime a method JoinAt.
func UnixTime(sec int64) time.Time {
	if sec == 0 {
		return time.Time{}
	}
	return time.Unix(sec, 0)
}

// Call sends req through c's pipeline (see Client.Do) and returns the
// decoded payload as a new T. It keeps area methods to their request and
// their result:
//
//	resp, err := wecom.Call[struct{ ChatID string `json:"chat_id"` }](ctx, c, &wecom.Request{...})
func Call[T any](ctx context.Context, c *Client, req *Request, opts ...CallOption) (*T, error) {
	out := new(T)
	if err := c.Do(ctx, req, out, opts...); err != nil {
		return nil, err
	}
	return out, nil
}
