package wecomtest

import (
	"sync"
	"time"
)

// Clock is the server's notion of time: token expiry, rate-limit windows,
// the 24-hour wait of a customer transfer and async jobs all follow it.
// By default it runs with real time; Advance moves it forward, so a test
// can jump past a waiting period. A manual clock (NewManualClock) moves
// only when told to.
type Clock struct {
	mu     sync.Mutex
	manual bool
	base   time.Time
	offset time.Duration
}

// NewManualClock returns a clock stopped at start.
func NewManualClock(start time.Time) *Clock {
	return &Clock{manual: true, base: start}
}

// Now returns the clock's current time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.manual {
		return c.base.Add(c.offset)
	}
	return time.Now().Add(c.offset)
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.offset += d
	c.mu.Unlock()
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.manual {
		c.base, c.offset = t, 0
		return
	}
	c.offset = time.Until(t)
}
