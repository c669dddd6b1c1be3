package redis

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/wecomkit/wecom"
)

// Limiter is a wecom.Limiter whose budget the whole fleet shares: every
// instance that paces its calls through the same Redis and prefix draws on
// one bucket per corp and API.
//
// It runs the generic cell rate algorithm (a token bucket kept as one
// timestamp, like wecom's MemoryLimiter) in one Lua script on Redis's
// clock, so the instances' clocks need not agree and two instances cannot
// take the same slot. In any window of length Rate.Per a corp's API
// receives at most Rate.Calls+Rate.Burst calls from the fleet.
//
// Wait books the next slot and sleeps until it comes. When the caller's
// context has a deadline and the next slot lies beyond it, Wait returns at
// once with an error wrapping context.DeadlineExceeded and books nothing.
// A slot booked by a call whose context ends while it sleeps is lost,
// which errs on the side of the budget.
//
// The script is bounded by WithOpTimeout (250ms by default), whatever the
// caller's context allows. When Redis fails or does not answer in time
// (hung), Wait paces calls with a local limiter instead: the
// instance's share of each budget (see WithFleetSize) without burst, since
// the shared bucket may just have spent the burst. It tries Redis again
// after WithRetryInterval.
type Limiter struct {
	rdb    goredis.UniversalClient
	prefix string
	def    cell
	perAPI map[string]cell
	local  wecom.Limiter
	log    *slog.Logger
	retry  time.Duration
	opTO   time.Duration

	// admitted, if set (by tests), is told of each call Wait lets
	// through, at its slot: on Redis's clock when the shared bucket
	// booked it, else when the local limiter let it through.
	admitted func(api string, slot time.Time)

	downUntil atomic.Int64 // unix nanoseconds; Redis is not tried before
	mu        sync.Mutex   // guards down and downSince, orders the log lines
	down      bool
	downSince time.Time // the last failure
}

var _ wecom.Limiter = (*Limiter)(nil)

// cell is a Rate in the script's terms, in microseconds.
type cell struct {
	interval  int64 // between two calls
	tolerance int64 // burst * interval
}

func newCell(r wecom.Rate) cell {
	per := r.Per.Microseconds()
	iv := (per + int64(r.Calls) - 1) / int64(r.Calls) // round up: never faster than the budget
	if iv < 1 {
		iv = 1
	}
	return cell{interval: iv, tolerance: int64(r.Burst) * iv}
}

// NewLimiter returns a Limiter on rdb that gives every API the budget def,
// except the APIs named in perAPI (endpoint path → budget), which get
// their own, as wecom.NewLimiter does. wecom.PerAPIQuota keeps each API
// under WeCom's documented limits. It reports invalid rates as an error.
func NewLimiter(rdb goredis.UniversalClient, def wecom.Rate, perAPI map[string]wecom.Rate, opts ...Option) (*Limiter, error) {
	if rdb == nil {
		return nil, errors.New("wecomredis: nil redis client")
	}
	// wecom.NewLimiter validates the rates the way the core does.
	if _, err := wecom.NewLimiter(def, perAPI); err != nil {
		return nil, fmt.Errorf("wecomredis: %w", err)
	}
	o := newOptions(opts)
	share := func(r wecom.Rate) wecom.Rate {
		n := o.fleetSize
		// No burst: the shared bucket may have just spent its own, and the
		// fleet must not add n bursts on top of it.
		return wecom.Rate{Calls: (r.Calls + n - 1) / n, Per: r.Per}
	}
	localPerAPI := make(map[string]wecom.Rate, len(perAPI))
	cells := make(map[string]cell, len(perAPI))
	for api, r := range perAPI {
		localPerAPI[api] = share(r)
		cells[api] = newCell(r)
	}
	local, err := wecom.NewLimiter(share(def), localPerAPI)
	if err != nil {
		return nil, fmt.Errorf("wecomredis: local fallback: %w", err)
	}
	return &Limiter{
		rdb:    rdb,
		prefix: o.prefix,
		def:    newCell(def),
		perAPI: cells,
		local:  local,
		log:    o.log,
		retry:  o.retryInterval,
		opTO:   o.opTimeout,
	}, nil
}

// gcraScript books the next slot of the bucket KEYS[1] and returns
// {booked, wait µs, slot µs since the epoch on Redis's clock}. ARGV: interval µs, tolerance µs, the longest wait the
// caller accepts in µs (-1 for any). A slot beyond that is not booked.
// The bucket's state is its theoretical arrival time (TAT), in µs on
// Redis's clock; the key expires once the bucket is full again.
var gcraScript = goredis.NewScript(`
if redis.replicate_commands then redis.replicate_commands() end
local iv = tonumber(ARGV[1])
local tol = tonumber(ARGV[2])
local maxwait = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0') or 0
if tat < now then tat = now end
local wait = tat - tol - now
if wait < 0 then wait = 0 end
if maxwait >= 0 and wait > maxwait then return {0, wait, now + wait} end
local ntat = tat + iv
redis.call('SET', KEYS[1], string.format('%.0f', ntat), 'PX', math.floor((ntat - now) / 1000) + 1)
return {1, wait, now + wait}
`)

func (l *Limiter) key(corpID, api string) string {
	return l.prefix + "{" + corpID + "}:rate:" + api
}

// Wait implements wecom.Limiter.
func (l *Limiter) Wait(ctx context.Context, corpID, api string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("wecomredis: waiting for rate limit on %s: %w", api, err)
	}
	if time.Now().UnixNano() < l.downUntil.Load() {
		return l.waitLocal(ctx, corpID, api)
	}
	c, ok := l.perAPI[api]
	if !ok {
		c = l.def
	}
	start := time.Now()
	maxWait := int64(-1)
	if dl, ok := ctx.Deadline(); ok {
		maxWait = max(time.Until(dl).Microseconds(), 0)
	}
	res, err := bounded(ctx, l.opTO, func(ctx context.Context) ([]int64, error) {
		return gcraScript.Run(ctx, l.rdb, []string{l.key(corpID, api)}, c.interval, c.tolerance, maxWait).Int64Slice()
	})
	if err == nil && len(res) != 3 {
		err = fmt.Errorf("unexpected reply of %d elements", len(res))
	}
	if err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return fmt.Errorf("wecomredis: waiting for rate limit on %s: %w", api, cerr)
		}
		l.markDown(ctx, err)
		return l.waitLocal(ctx, corpID, api)
	}
	l.markUp(ctx, start)
	wait := time.Duration(res[1]) * time.Microsecond
	if res[0] != 1 {
		return fmt.Errorf("wecomredis: rate limit on %s: the next slot, in %s, is past the deadline: %w",
			api, wait.Round(time.Millisecond), context.DeadlineExceeded)
	}
	if wait > 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			return fmt.Errorf("wecomredis: waiting for rate limit on %s: %w", api, ctx.Err())
		}
	}
	if l.admitted != nil {
		l.admitted(api, time.UnixMicro(res[2]))
	}
	return nil
}

// waitLocal paces a call with the local limiter.
func (l *Limiter) waitLocal(ctx context.Context, corpID, api string) error {
	err := l.local.Wait(ctx, corpID, api)
	if err == nil && l.admitted != nil {
		l.admitted(api, time.Now())
	}
	return err
}

// markDown switches to the local limiter for the retry interval, logging
// the switch once per outage.
func (l *Limiter) markDown(ctx context.Context, err error) {
	now := time.Now()
	l.downUntil.Store(now.Add(l.retry).UnixNano())
	l.mu.Lock()
	was := l.down
	l.down, l.downSince = true, now
	l.mu.Unlock()
	if !was {
		l.log.LogAttrs(ctx, slog.LevelWarn, "wecomredis: redis unavailable; pacing calls with the local limiter",
			slog.String("error", err.Error()), slog.Duration("retry_in", l.retry))
	}
}

// markUp notes a success of a script run that started at start. One that
// started before the last failure says nothing about Redis now.
func (l *Limiter) markUp(ctx context.Context, start time.Time) {
	l.mu.Lock()
	back := l.down && start.After(l.downSince)
	if back {
		l.down = false
	}
	l.mu.Unlock()
	if back {
		l.log.LogAttrs(ctx, slog.LevelInfo, "wecomredis: redis is back; pacing calls with the shared limiter")
	}
}
