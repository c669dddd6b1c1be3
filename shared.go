package wecom

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// This file holds the small shapes several area packages share, defined
// once.

// WaitOptions tunes how a Wait helper (externalcontact.WaitTransfers,
// moments.WaitMomentTask) polls: the first delay, doubling up to a cap.
// Zero fields take the helper's own defaults, documented on each helper:
// a transfer takes a day, a moment task seconds.
type WaitOptions struct {
	// PollInterval is the delay before the second poll.
	PollInterval time.Duration
	// MaxPollInterval caps the doubling delays.
	MaxPollInterval time.Duration
}

// Gender is a person's gender as WeCom sends it: in customer details (a
// number), in member details and OAuth user details (a numeric string).
// It decodes from either form.
type Gender int

// Genders.
const (
	GenderUnknown Gender = 0
	GenderMale    Gender = 1
	GenderFemale  Gender = 2
)

// String returns "unknown", "male", "female" or "Gender(n)".
func (g Gender) String() string {
	switch g {
	case GenderUnknown:
		return "unknown"
	case GenderMale:
		return "male"
	case GenderFemale:
		return "female"
	}
	return "Gender(" + strconv.Itoa(int(g)) + ")"
}

// UnmarshalJSON accepts a number, a numeric string or an empty string
// (unknown).
func (g *Gender) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		if s == "" {
			*g = GenderUnknown
			return nil
		}
		n, err := strconv.Atoi(s)
		if err != nil {
			return fmt.Errorf("wecom: gender %q: %w", s, err)
		}
		*g = Gender(n)
		return nil
	}
	if string(b) == "null" {
		return nil
	}
	var n int
	if err := json.Unmarshal(b, &n); err != nil {
		return err
	}
	*g = Gender(n)
	return nil
}

// UnexpectedResponse returns the error of a call that WeCom answered with
// errcode 0 but without what the endpoint promises (a ticket fetch without
// a ticket, an identity that is neither a member nor a non-member): an
// *Error for method and path with the formatted message. Area packages use
// it instead of building *Error themselves.
func UnexpectedResponse(method, path, format string, args ...any) error {
	return &Error{Method: method, Path: path, HTTPStatus: 200, Message: "unexpected response: " + fmt.Sprintf(format, args...)}
}

// NewSentinel returns an error value with fixed text, for package-level
// sentinels (var ErrX = wecom.NewSentinel("...")) that a TokenSource or
// another hook of the pipeline may return. The pipeline rebuilds the error
// chains it returns so that no secret from the network survives in them,
// which drops causes it does not know; a sentinel made here is kept as it
// is, so errors.Is finds it through a call's *Error. Its text must be
// fixed: never put a secret, an id or anything variable in it.
func NewSentinel(text string) error { return &sentinelError{text} }

type sentinelError struct{ msg string }

func (e *sentinelError) Error() string { return e.msg }
