package provider

import (
	"errors"
	"strconv"
)

func itoa(n int) string { return strconv.Itoa(n) }

// IsNoTicket reports whether err comes from a missing or expired suite
// ticket (ErrNoTicket), also through a Client's call: it is
// errors.Is(err, ErrNoTicket).
func IsNoTicket(err error) bool { return errors.Is(err, ErrNoTicket) }

// IsUnknownTenant reports whether err comes from a corp that has not
// authorized the suite (ErrUnknownTenant, as PermanentCodes reports it),
// also through a Client's call: it is errors.Is(err, ErrUnknownTenant).
func IsUnknownTenant(err error) bool { return errors.Is(err, ErrUnknownTenant) }
