package provider

import "strconv"

func itoa(n int) string { return strconv.Itoa(n) }

// sentinel is an error value of its own, compared with errors.Is.
type sentinel string

func (s sentinel) Error() string { return string(s) }

// Errors the package wraps.
const (
	errNoTokenInResponse sentinel = "response carries no token"
	errPanicked          sentinel = "the instruction callback panicked"
)
