package wire

// Deref returns *p, or the zero T when p is nil: area methods take their
// requests by pointer, as the rest of the SDK does, and treat nil as the
// zero request.
func Deref[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}
