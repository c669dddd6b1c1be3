package provider

import (
	"errors"
	"strconv"
	"strings"
)

func itoa(n int) string { return strconv.Itoa(n) }

// sentinel is an error value of its own, compared with errors.Is.
type sentinel string

func (s sentinel) Error() string { return string(s) }

// is reports whether err is target, also where the Client's scrubbing of
// token-source errors kept only its text (the SDK's sentinels carry no
// secret, so their text identifies them).
func is(err error, target sentinel) bool {
	return err != nil && (errors.Is(err, target) || strings.Contains(err.Error(), string(target)))
}

// IsNoTicket reports whether err comes from a missing or expired suite
// ticket (ErrNoTicket), also through a Client's call.
func IsNoTicket(err error) bool { return is(err, ErrNoTicket.(sentinel)) }

// IsUnknownTenant reports whether err comes from a corp that has not
// authorized the suite (ErrUnknownTenant, as PermanentCodes reports it),
// also through a Client's call.
func IsUnknownTenant(err error) bool { return is(err, ErrUnknownTenant.(sentinel)) }
