package wecom

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/wecomkit/wecom/internal/backoff"
)

// Limiter paces calls so that an app stays under WeCom's frequency limits
// instead of collecting 45009 errors. The Client calls Wait before every
// request, gettoken included. Implementations must be safe for concurrent
// use; one shared by many instances (see the Redis module) keeps a whole
// fleet under one budget.
type Limiter interface {
	// Wait blocks until a call to api (an endpoint path such as
	// "/cgi-bin/externalcontact/get") may be made for corpID, or until ctx
	// ends, in which case it returns an error wrapping ctx.Err().
	Wait(ctx context.Context, corpID, api string) error
}

// Rate is a call budget: at most Calls per Per, spread evenly, with Burst
// calls allowed at once on top of the even spread after a quiet period.
type Rate struct {
	Calls int
	Per   time.Duration
	Burst int
}

// PerAPIQuota is a budget that keeps one API of one corp under both of
// WeCom's documented per-API limits (10,000 calls a minute and 150,000 an
// hour) with 5% headroom: 2,375 calls a minute sustained, which the hourly
// limit demands, and bursts of up to 5,000, which the minute limit allows.
var PerAPIQuota = Rate{Calls: 2375, Per: time.Minute, Burst: 5000}

func (r Rate) validate() error {
	if r.Calls <= 0 || r.Per <= 0 || r.Burst < 0 {
		return fmt.Errorf("wecom: invalid rate %d per %s (burst %d)", r.Calls, r.Per, r.Burst)
	}
	return nil
}

// interval is the even spacing between calls.
func (r Rate) interval() time.Duration { return r.Per / time.Duration(r.Calls) }

// MemoryLimiter is an in-process Limiter: one bucket per corp and API,
// using the generic cell rate algorithm (a token bucket kept as one
// timestamp). In any window of length Per it admits at most Calls+Burst
// calls.
type MemoryLimiter struct {
	def    Rate
	perAPI map[string]Rate
	now    func() time.Time

	mu  sync.Mutex
	tat map[string]time.Time // theoretical arrival time per corp+api
}

// NewLimiter returns a MemoryLimiter that gives every API the budget def,
// except the APIs named in perAPI (endpoint path → budget), which get
// their own. It reports invalid rates as an error.
func NewLimiter(def Rate, perAPI map[string]Rate) (*MemoryLimiter, error) {
	if err := def.validate(); err != nil {
		return nil, err
	}
	m := make(map[string]Rate, len(perAPI))
	for api, r := range perAPI {
		if err := r.validate(); err != nil {
			return nil, fmt.Errorf("%w (for %s)", err, api)
		}
		m[api] = r
	}
	return &MemoryLimiter{def: def, perAPI: m, now: time.Now, tat: make(map[string]time.Time)}, nil
}

// Wait implements Limiter.
func (l *MemoryLimiter) Wait(ctx context.Context, corpID, api string) error {
	d := l.reserve(corpID+" "+api, api)
	if d <= 0 {
		return nil
	}
	if err := backoff.Sleep(ctx, d); err != nil {
		return fmt.Errorf("wecom: waiting for rate limit on %s: %w", api, err)
	}
	return nil
}

// reserve books the next slot for key and returns how long to wait for it.
func (l *MemoryLimiter) reserve(key, api string) time.Duration {
	r, ok := l.perAPI[api]
	if !ok {
		r = l.def
	}
	iv := r.interval()
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	tat := l.tat[key]
	if tat.Before(now) {
		tat = now
	}
	// A call may go at tat - burst*interval; booking it moves tat on by one
	// interval.
	allowAt := tat.Add(-time.Duration(r.Burst) * iv)
	l.tat[key] = tat.Add(iv)
	if allowAt.After(now) {
		return allowAt.Sub(now)
	}
	return 0
}
