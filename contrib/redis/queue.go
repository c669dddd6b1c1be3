package redis

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/callback"
)

// DefaultVisibilityTimeout is how long a Queue leaves an event with the
// worker that received it before another worker may take it over, unless
// WithVisibilityTimeout says otherwise.
const DefaultVisibilityTimeout = 30 * time.Second

// QueueGroup is the Redis Streams consumer group of every Queue: all the
// workers of a queue, in any instance, share it.
const QueueGroup = "wecom"

// ErrNoDeadLetter is wrapped by Replay's error when no dead letter has the
// id given.
var ErrNoDeadLetter = errors.New("wecomredis: no such dead letter")

// Queue is the durable queue of the callback package's async mode on Redis
// Streams: a fleet's instances append events to one stream, and their
// workers take them through one consumer group, each event to one worker
// at a time.
//
// Keys, in one Redis Cluster hash slot per queue name:
//
//	wecom:{queue:<name>}:stream    the events: fields data, attempt, enq (ms)
//	wecom:{queue:<name>}:delayed   a sorted set of events waiting for a retry, by due time
//	wecom:{queue:<name>}:dead      a stream of dead letters: data, attempts, reason, failed, enq
//
// Enqueue is one XADD: once it returns nil the event is in Redis, as
// durable as Redis is configured to be (appendonly yes with appendfsync
// always or everysec, or replication; a Redis without persistence loses
// the queue when it restarts).
//
// Receive first moves the retries that are due back onto the stream and
// takes over, with XAUTOCLAIM, events that another consumer received and
// did not acknowledge within the visibility timeout (its worker died or
// hung); then it reads new events with XREADGROUP, blocking up to wait.
// Delivery.Attempt counts every delivery: the retries (Retry) plus the
// takeovers (the pending entry's delivery count).
//
// Ack is XACK and XDEL in one script: a handled event leaves the stream at
// once, so the stream holds only events not yet handled and needs no
// trimming. Retry acknowledges the entry and puts the event in the delayed
// set in the same script; it reaches the stream again, as a new entry
// with Attempt one higher, at the first Receive after its due time (on
// Redis's clock). DeadLetter moves the event to the dead stream, likewise
// atomically; Replay moves it back as a new event (Attempt 1).
//
// Every operation is bounded by WithOpTimeout (Receive by that plus wait),
// whatever the caller's context allows. A Queue is safe for concurrent
// use. It owns no connection.
type Queue struct {
	rdb        goredis.UniversalClient
	stream     string
	delayed    string
	dead       string
	opTimeout  time.Duration
	visibility time.Duration

	mu       sync.Mutex
	cursor   string // XAUTOCLAIM's scan position
	hasGroup bool
}

var _ callback.Queue = (*Queue)(nil)

// NewQueue returns the Queue name on rdb. It takes WithPrefix,
// WithOpTimeout and WithVisibilityTimeout. Choose a visibility timeout
// well above the time a handler takes: an event still being handled past
// it is delivered to a second worker.
func NewQueue(rdb goredis.UniversalClient, name string, opts ...Option) (*Queue, error) {
	if rdb == nil {
		return nil, wecom.InvalidArgument("wecomredis: nil redis client")
	}
	if name == "" {
		return nil, wecom.InvalidArgument("wecomredis: new queue: empty name")
	}
	o := newOptions(opts)
	base := o.prefix + "{queue:" + name + "}:"
	return &Queue{
		rdb:        rdb,
		stream:     base + "stream",
		delayed:    base + "delayed",
		dead:       base + "dead",
		opTimeout:  o.opTimeout,
		visibility: o.visibility,
		cursor:     "0-0",
	}, nil
}

// Enqueue implements callback.Queue: XADD of the event with attempt 1.
func (q *Queue) Enqueue(ctx context.Context, data []byte) error {
	err := bounded0(ctx, q.opTimeout, func(ctx context.Context) error {
		return q.rdb.XAdd(ctx, &goredis.XAddArgs{Stream: q.stream, Values: []any{
			"data", data, "attempt", 1, "enq", time.Now().UnixMilli(),
		}}).Err()
	})
	if err != nil {
		return fmt.Errorf("wecomredis: enqueue: %w", err)
	}
	return nil
}

var (
	// reclaimScript moves the due retries of KEYS[2] (at most ARGV[5]) onto
	// the stream KEYS[1], then takes over for consumer ARGV[2] at most
	// ARGV[5] entries of group ARGV[1] idle for ARGV[3] ms, scanning from
	// ARGV[4]. Returns {next cursor, {id, data, attempt, enq, deliveries, ...}}.
	// An entry deleted while pending is acknowledged and skipped.
	reclaimScript = goredis.NewScript(`
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local due = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, tonumber(ARGV[5]))
for _, m in ipairs(due) do
	local a = string.find(m, ':', 1, true)
	local e = string.find(m, ':', a + 1, true)
	local i = string.find(m, ':', e + 1, true)
	redis.call('XADD', KEYS[1], '*', 'data', string.sub(m, i + 1), 'attempt', string.sub(m, 1, a - 1), 'enq', string.sub(m, a + 1, e - 1))
	redis.call('ZREM', KEYS[2], m)
end
local r = redis.call('XAUTOCLAIM', KEYS[1], ARGV[1], ARGV[2], ARGV[3], ARGV[4], 'COUNT', tonumber(ARGV[5]))
local out = {}
for _, en in ipairs(r[2]) do
	local id, f = en[1], en[2]
	if type(f) == 'table' then
		local h = {}
		for k = 1, #f, 2 do h[f[k]] = f[k + 1] end
		local p = redis.call('XPENDING', KEYS[1], ARGV[1], id, id, 1)
		local n = 1
		if p[1] then n = p[1][4] end
		table.insert(out, id)
		table.insert(out, h['data'] or '')
		table.insert(out, h['attempt'] or '1')
		table.insert(out, h['enq'] or '0')
		table.insert(out, n)
	else
		redis.call('XACK', KEYS[1], ARGV[1], id)
	end
end
return {r[1], out}
`)

	// ackScript acknowledges and deletes entry ARGV[2] of stream KEYS[1] in
	// group ARGV[1]. Returns 1 when it was pending.
	ackScript = goredis.NewScript(`
local n = redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
redis.call('XDEL', KEYS[1], ARGV[2])
return n
`)

	// retryScript acknowledges entry ARGV[2] and, if it was pending, adds
	// it to the delayed set KEYS[2], due ARGV[3] ms from now with attempt
	// ARGV[4]. The member is "attempt:enq:id:data" (the id keeps members
	// apart). Returns 1 when moved.
	retryScript = goredis.NewScript(`
if redis.replicate_commands then redis.replicate_commands() end
local e = redis.call('XRANGE', KEYS[1], ARGV[2], ARGV[2])
if redis.call('XACK', KEYS[1], ARGV[1], ARGV[2]) == 0 or not e[1] then return 0 end
local h = {}
for k = 1, #e[1][2], 2 do h[e[1][2][k]] = e[1][2][k + 1] end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[3]), ARGV[4] .. ':' .. (h['enq'] or '0') .. ':' .. ARGV[2] .. ':' .. (h['data'] or ''))
redis.call('XDEL', KEYS[1], ARGV[2])
return 1
`)

	// deadScript acknowledges entry ARGV[2] and, if it was pending, moves
	// it to the dead stream KEYS[2] with attempts ARGV[3], reason ARGV[4]
	// and failed ARGV[5] (ms). Returns 1 when moved.
	deadScript = goredis.NewScript(`
local e = redis.call('XRANGE', KEYS[1], ARGV[2], ARGV[2])
if redis.call('XACK', KEYS[1], ARGV[1], ARGV[2]) == 0 or not e[1] then return 0 end
local h = {}
for k = 1, #e[1][2], 2 do h[e[1][2][k]] = e[1][2][k + 1] end
redis.call('XADD', KEYS[2], '*', 'data', h['data'] or '', 'attempts', ARGV[3], 'reason', ARGV[4], 'failed', ARGV[5], 'enq', h['enq'] or '0')
redis.call('XDEL', KEYS[1], ARGV[2])
return 1
`)

	// replayScript moves dead letter ARGV[1] of KEYS[2] back onto the
	// stream KEYS[1] as a new event. Returns 1 when moved.
	replayScript = goredis.NewScript(`
local e = redis.call('XRANGE', KEYS[2], ARGV[1], ARGV[1])
if not e[1] then return 0 end
local h = {}
for k = 1, #e[1][2], 2 do h[e[1][2][k]] = e[1][2][k + 1] end
redis.call('XADD', KEYS[1], '*', 'data', h['data'] or '', 'attempt', 1, 'enq', h['enq'] or '0')
redis.call('XDEL', KEYS[2], ARGV[1])
return 1
`)
)

// ensureGroup creates the consumer group (and the stream) once. The group
// starts at the stream's beginning, so that events enqueued before any
// worker ran are delivered.
func (q *Queue) ensureGroup(ctx context.Context, again bool) error {
	q.mu.Lock()
	has := q.hasGroup && !again
	q.mu.Unlock()
	if has {
		return nil
	}
	err := bounded0(ctx, q.opTimeout, func(ctx context.Context) error {
		return q.rdb.XGroupCreateMkStream(ctx, q.stream, QueueGroup, "0").Err()
	})
	if err != nil && !strings.HasPrefix(err.Error(), "BUSYGROUP") {
		return err
	}
	q.mu.Lock()
	q.hasGroup = true
	q.mu.Unlock()
	return nil
}

func isNoGroup(err error) bool { return err != nil && strings.Contains(err.Error(), "NOGROUP") }

// Receive implements callback.Queue. It returns at most n events for
// consumer: due retries and events taken over from consumers that held
// them past the visibility timeout first, then new ones, waiting up to
// wait for any (wait <= 0: no waiting). A retry that falls due while
// Receive waits is delivered by the next Receive.
func (q *Queue) Receive(ctx context.Context, consumer string, n int, wait time.Duration) ([]callback.Delivery, error) {
	if consumer == "" {
		return nil, wecom.InvalidArgument("wecomredis: receive: empty consumer")
	}
	if n < 1 {
		return nil, wecom.InvalidArgument("wecomredis: receive: n %d is below 1", n)
	}
	if err := q.ensureGroup(ctx, false); err != nil {
		return nil, fmt.Errorf("wecomredis: receive: %w", err)
	}
	out, err := q.reclaim(ctx, consumer, n)
	if isNoGroup(err) {
		// Redis lost the group (restarted without persistence, or the
		// stream was deleted): create it again.
		if err = q.ensureGroup(ctx, true); err == nil {
			out, err = q.reclaim(ctx, consumer, n)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("wecomredis: receive: %w", err)
	}
	if len(out) >= n {
		return out, nil
	}
	block := time.Duration(-1) // no BLOCK argument: do not wait
	if len(out) == 0 && wait > 0 {
		block = max(wait, time.Millisecond)
	}
	streams, err := bounded(ctx, q.opTimeout+max(block, 0), func(ctx context.Context) ([]goredis.XStream, error) {
		return q.rdb.XReadGroup(ctx, &goredis.XReadGroupArgs{
			Group: QueueGroup, Consumer: consumer, Streams: []string{q.stream, ">"},
			Count: int64(n - len(out)), Block: block,
		}).Result()
	})
	if errors.Is(err, goredis.Nil) {
		return out, nil
	}
	if isNoGroup(err) {
		q.mu.Lock()
		q.hasGroup = false // created again by the next Receive
		q.mu.Unlock()
	}
	if err != nil {
		if len(out) > 0 {
			return out, nil // taken over: theirs now, deliver them
		}
		return nil, fmt.Errorf("wecomredis: receive: %w", err)
	}
	for _, s := range streams {
		for _, m := range s.Messages {
			data, _ := m.Values["data"].(string)
			out = append(out, callback.Delivery{
				ID:       m.ID,
				Data:     []byte(data),
				Attempt:  max(atoi(m.Values["attempt"]), 1),
				Enqueued: time.UnixMilli(int64(atoi(m.Values["enq"]))),
			})
		}
	}
	return out, nil
}

// reclaim runs reclaimScript and decodes its answer.
func (q *Queue) reclaim(ctx context.Context, consumer string, n int) ([]callback.Delivery, error) {
	q.mu.Lock()
	cursor := q.cursor
	q.mu.Unlock()
	res, err := bounded(ctx, q.opTimeout, func(ctx context.Context) ([]any, error) {
		return reclaimScript.Run(ctx, q.rdb, []string{q.stream, q.delayed},
			QueueGroup, consumer, q.visibility.Milliseconds(), cursor, n).Slice()
	})
	if err != nil {
		return nil, err
	}
	if len(res) != 2 {
		return nil, fmt.Errorf("unexpected reply of %d elements", len(res))
	}
	next, _ := res[0].(string)
	flat, _ := res[1].([]any)
	q.mu.Lock()
	if next != "" {
		q.cursor = next
	}
	q.mu.Unlock()
	var out []callback.Delivery
	for i := 0; i+4 < len(flat); i += 5 {
		id, _ := flat[i].(string)
		data, _ := flat[i+1].(string)
		deliveries, _ := flat[i+4].(int64)
		out = append(out, callback.Delivery{
			ID:       id,
			Data:     []byte(data),
			Attempt:  max(atoi(flat[i+2]), 1) + max(int(deliveries)-1, 0),
			Enqueued: time.UnixMilli(int64(atoi(flat[i+3]))),
		})
	}
	return out, nil
}

func atoi(v any) int {
	switch v := v.(type) {
	case string:
		n, _ := strconv.Atoi(v)
		return n
	case int64:
		return int(v)
	}
	return 0
}

// Ack implements callback.Queue: XACK and XDEL of the entry. Acknowledging
// an entry that is no longer pending (another worker took it over and
// acknowledged it first) is not an error.
func (q *Queue) Ack(ctx context.Context, d callback.Delivery) error {
	if d.ID == "" {
		return wecom.InvalidArgument("wecomredis: ack: empty delivery id")
	}
	err := bounded0(ctx, q.opTimeout, func(ctx context.Context) error {
		return ackScript.Run(ctx, q.rdb, []string{q.stream}, QueueGroup, d.ID).Err()
	})
	if err != nil {
		return fmt.Errorf("wecomredis: ack: %w", err)
	}
	return nil
}

// Retry implements callback.Queue: the event is delivered again, as a new
// entry with Attempt one higher, by the first Receive at least delay from
// now. An entry no longer pending (taken over and finished by another
// worker) is left alone.
func (q *Queue) Retry(ctx context.Context, d callback.Delivery, delay time.Duration) error {
	if d.ID == "" {
		return wecom.InvalidArgument("wecomredis: retry: empty delivery id")
	}
	err := bounded0(ctx, q.opTimeout, func(ctx context.Context) error {
		return retryScript.Run(ctx, q.rdb, []string{q.stream, q.delayed},
			QueueGroup, d.ID, max(delay.Milliseconds(), 0), max(d.Attempt, 1)+1).Err()
	})
	if err != nil {
		return fmt.Errorf("wecomredis: retry: %w", err)
	}
	return nil
}

// DeadLetter implements callback.Queue: the event moves to the dead stream
// with reason, its attempts and the time. An entry no longer pending is
// left alone.
func (q *Queue) DeadLetter(ctx context.Context, d callback.Delivery, reason string) error {
	if d.ID == "" {
		return wecom.InvalidArgument("wecomredis: dead letter: empty delivery id")
	}
	err := bounded0(ctx, q.opTimeout, func(ctx context.Context) error {
		return deadScript.Run(ctx, q.rdb, []string{q.stream, q.dead},
			QueueGroup, d.ID, max(d.Attempt, 1), reason, time.Now().UnixMilli()).Err()
	})
	if err != nil {
		return fmt.Errorf("wecomredis: dead letter: %w", err)
	}
	return nil
}

// DeadLetters implements callback.Queue: up to n dead letters, oldest
// first.
func (q *Queue) DeadLetters(ctx context.Context, n int) ([]callback.DeadLetter, error) {
	if n < 1 {
		return nil, wecom.InvalidArgument("wecomredis: dead letters: n %d is below 1", n)
	}
	msgs, err := bounded(ctx, q.opTimeout, func(ctx context.Context) ([]goredis.XMessage, error) {
		return q.rdb.XRangeN(ctx, q.dead, "-", "+", int64(n)).Result()
	})
	if err != nil {
		return nil, fmt.Errorf("wecomredis: dead letters: %w", err)
	}
	out := make([]callback.DeadLetter, 0, len(msgs))
	for _, m := range msgs {
		data, _ := m.Values["data"].(string)
		reason, _ := m.Values["reason"].(string)
		out = append(out, callback.DeadLetter{
			ID:       m.ID,
			Data:     []byte(data),
			Attempts: atoi(m.Values["attempts"]),
			Reason:   reason,
			Failed:   time.UnixMilli(int64(atoi(m.Values["failed"]))),
		})
	}
	return out, nil
}

// Replay implements callback.Queue: the dead letter id goes back onto the
// queue as a new event (Attempt 1, its first Enqueued time kept). It
// returns an error wrapping ErrNoDeadLetter when there is none with id.
func (q *Queue) Replay(ctx context.Context, id string) error {
	if id == "" {
		return wecom.InvalidArgument("wecomredis: replay: empty id")
	}
	n, err := bounded(ctx, q.opTimeout, func(ctx context.Context) (int64, error) {
		return replayScript.Run(ctx, q.rdb, []string{q.stream, q.dead}, id).Int64()
	})
	if err != nil {
		return fmt.Errorf("wecomredis: replay: %w", err)
	}
	if n != 1 {
		return fmt.Errorf("wecomredis: replay %s: %w", id, ErrNoDeadLetter)
	}
	return nil
}
