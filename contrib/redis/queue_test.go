package redis

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/callback"
)

func newTestQueue(t testing.TB, r *testRedis, opts ...Option) *Queue {
	t.Helper()
	q, err := NewQueue(r.Client(t), "events", append([]Option{WithPrefix(testPrefix(t)), WithOpTimeout(testBound)}, opts...)...)
	require.NoError(t, err)
	return q
}

func TestNewQueueValidates(t *testing.T) {
	_, err := NewQueue(nil, "q")
	assert.ErrorContains(t, err, "nil redis client")
	assert.ErrorIs(t, err, wecom.ErrInvalidArgument)
	r := startRedis(t)
	_, err = NewQueue(r.Client(t), "")
	assert.ErrorContains(t, err, "wecomredis: new queue: empty name")
}

func TestQueueRoundTrip(t *testing.T) {
	r := startRedis(t)
	q := newTestQueue(t, r)
	rdb := r.Client(t)
	ctx := context.Background()
	events := [][]byte{[]byte("<xml>one</xml>"), []byte("a:b:c\x00binary\xff"), []byte("")}
	before := time.Now().Add(-time.Millisecond)
	for _, e := range events {
		require.NoError(t, q.Enqueue(ctx, e))
	}
	after := time.Now().Add(time.Millisecond)
	assert.Equal(t, int64(3), rdb.XLen(ctx, q.stream).Val())

	got, err := q.Receive(ctx, "w1", 10, time.Second)
	require.NoError(t, err)
	require.Len(t, got, 3)
	for i, d := range got {
		assert.Equal(t, events[i], d.Data, "event %d", i)
		assert.Equal(t, 1, d.Attempt)
		assert.NotEmpty(t, d.ID)
		assert.True(t, !d.Enqueued.Before(before.Truncate(time.Millisecond)) && !d.Enqueued.After(after), "enqueued %s", d.Enqueued)
	}
	// Another consumer sees none of them: they are w1's.
	other, err := q.Receive(ctx, "w2", 10, 0)
	require.NoError(t, err)
	assert.Empty(t, other)
	assert.Equal(t, int64(3), rdb.XPending(ctx, q.stream, QueueGroup).Val().Count)

	for _, d := range got {
		require.NoError(t, q.Ack(ctx, d))
	}
	assert.Zero(t, rdb.XLen(ctx, q.stream).Val(), "acked entries leave the stream")
	assert.Zero(t, rdb.XPending(ctx, q.stream, QueueGroup).Val().Count)
	require.NoError(t, q.Ack(ctx, got[0]), "acking twice is no error")

	// Empty: Receive waits, then returns nothing.
	start := time.Now()
	none, err := q.Receive(ctx, "w1", 10, 100*time.Millisecond)
	require.NoError(t, err)
	assert.Empty(t, none)
	assert.GreaterOrEqual(t, time.Since(start), 90*time.Millisecond, "waited")

	// A waiting Receive gets an event enqueued meanwhile.
	done := make(chan []callback.Delivery, 1)
	go func() {
		ds, _ := q.Receive(ctx, "w1", 1, 5*time.Second)
		done <- ds
	}()
	time.Sleep(50 * time.Millisecond)
	require.NoError(t, q.Enqueue(ctx, []byte("late")))
	ds := <-done
	require.Len(t, ds, 1)
	assert.Equal(t, "late", string(ds[0].Data))
}

// TestQueueTakesOverFromADeadConsumer: events a consumer received and did
// not acknowledge within the visibility timeout go to another, with their
// attempt counted.
func TestQueueTakesOverFromADeadConsumer(t *testing.T) {
	r := startRedis(t)
	q := newTestQueue(t, r, WithVisibilityTimeout(100*time.Millisecond))
	ctx := context.Background()
	for _, e := range []string{"a", "b", "c"} {
		require.NoError(t, q.Enqueue(ctx, []byte(e)))
	}
	held, err := q.Receive(ctx, "dead", 2, 0)
	require.NoError(t, err)
	require.Len(t, held, 2)

	got, err := q.Receive(ctx, "alive", 10, 0)
	require.NoError(t, err)
	require.Len(t, got, 1, "only the free event before the visibility timeout")
	assert.Equal(t, "c", string(got[0].Data))
	require.NoError(t, q.Ack(ctx, got[0]))

	var taken []callback.Delivery
	waitFor(t, 5*time.Second, "the dead consumer's events to be taken over", func() bool {
		ds, err := q.Receive(ctx, "alive", 10, 0)
		require.NoError(t, err)
		taken = append(taken, ds...)
		return len(taken) >= 2
	})
	require.Len(t, taken, 2)
	for i, d := range taken {
		assert.Equal(t, held[i].ID, d.ID)
		assert.Equal(t, held[i].Data, d.Data)
		assert.Equal(t, 2, d.Attempt, "the second delivery")
		assert.Equal(t, held[i].Enqueued, d.Enqueued)
	}
	for _, d := range taken {
		require.NoError(t, q.Ack(ctx, d))
	}
	assert.Zero(t, r.Client(t).XLen(ctx, q.stream).Val())
}

func TestQueueRetryWithDelay(t *testing.T) {
	r := startRedis(t)
	q := newTestQueue(t, r)
	rdb := r.Client(t)
	ctx := context.Background()
	require.NoError(t, q.Enqueue(ctx, []byte("flaky:event")))
	ds, err := q.Receive(ctx, "w", 1, time.Second)
	require.NoError(t, err)
	require.Len(t, ds, 1)
	first := ds[0]

	require.NoError(t, q.Retry(ctx, first, 300*time.Millisecond))
	assert.Zero(t, rdb.XLen(ctx, q.stream).Val(), "off the stream while it waits")
	assert.Equal(t, int64(1), rdb.ZCard(ctx, q.delayed).Val())
	retried := time.Now()
	none, err := q.Receive(ctx, "w", 1, 0)
	require.NoError(t, err)
	assert.Empty(t, none, "not before its delay")

	var again []callback.Delivery
	waitFor(t, 5*time.Second, "the retry to come due", func() bool {
		again, err = q.Receive(ctx, "w", 1, 0)
		require.NoError(t, err)
		return len(again) == 1
	})
	assert.GreaterOrEqual(t, time.Since(retried), 250*time.Millisecond, "delivered after its delay")
	d := again[0]
	assert.Equal(t, 2, d.Attempt)
	assert.Equal(t, first.Data, d.Data)
	assert.Equal(t, first.Enqueued, d.Enqueued)
	assert.NotEqual(t, first.ID, d.ID, "a new entry")
	assert.Zero(t, rdb.ZCard(ctx, q.delayed).Val())

	require.NoError(t, q.Retry(ctx, d, 0))
	waitFor(t, 5*time.Second, "the third attempt", func() bool {
		again, err = q.Receive(ctx, "w", 1, 0)
		require.NoError(t, err)
		return len(again) == 1
	})
	assert.Equal(t, 3, again[0].Attempt)

	// A delivery another worker finished already is not retried.
	require.NoError(t, q.Ack(ctx, again[0]))
	require.NoError(t, q.Retry(ctx, again[0], 0))
	assert.Zero(t, rdb.ZCard(ctx, q.delayed).Val())
}

func TestQueueDeadLetterAndReplay(t *testing.T) {
	r := startRedis(t)
	q := newTestQueue(t, r)
	rdb := r.Client(t)
	ctx := context.Background()
	require.NoError(t, q.Enqueue(ctx, []byte("poison")))
	require.NoError(t, q.Enqueue(ctx, []byte("fine")))
	ds, err := q.Receive(ctx, "w", 2, time.Second)
	require.NoError(t, err)
	require.Len(t, ds, 2)
	ds[0].Attempt = 5 // as after four retries
	before := time.Now().Add(-time.Millisecond)
	require.NoError(t, q.DeadLetter(ctx, ds[0], "handler: unknown ChangeType"))
	require.NoError(t, q.Ack(ctx, ds[1]))
	assert.Zero(t, rdb.XLen(ctx, q.stream).Val())
	assert.Zero(t, rdb.XPending(ctx, q.stream, QueueGroup).Val().Count)

	dead, err := q.DeadLetters(ctx, 10)
	require.NoError(t, err)
	require.Len(t, dead, 1)
	dl := dead[0]
	assert.NotEmpty(t, dl.ID)
	assert.Equal(t, "poison", string(dl.Data))
	assert.Equal(t, 5, dl.Attempts)
	assert.Equal(t, "handler: unknown ChangeType", dl.Reason)
	assert.WithinRange(t, dl.Failed, before.Truncate(time.Millisecond), time.Now().Add(time.Millisecond))

	none, err := q.Receive(ctx, "w", 1, 0)
	require.NoError(t, err)
	assert.Empty(t, none, "a dead letter is not delivered")

	require.NoError(t, q.Replay(ctx, dl.ID))
	dead, err = q.DeadLetters(ctx, 10)
	require.NoError(t, err)
	assert.Empty(t, dead)
	back, err := q.Receive(ctx, "w", 1, time.Second)
	require.NoError(t, err)
	require.Len(t, back, 1)
	assert.Equal(t, "poison", string(back[0].Data))
	assert.Equal(t, 1, back[0].Attempt, "a replay starts over")
	assert.Equal(t, ds[0].Enqueued, back[0].Enqueued)

	assert.ErrorIs(t, q.Replay(ctx, dl.ID), ErrNoDeadLetter)
	require.NoError(t, q.Ack(ctx, back[0]))
	require.NoError(t, q.DeadLetter(ctx, back[0], "acked already"), "no longer pending: left alone")
	dead, err = q.DeadLetters(ctx, 10)
	require.NoError(t, err)
	assert.Empty(t, dead)
}

func TestQueueInvalidInput(t *testing.T) {
	r := startRedis(t)
	q := newTestQueue(t, r)
	ctx := context.Background()
	_, err := q.Receive(ctx, "", 1, 0)
	assert.ErrorContains(t, err, "wecomredis: receive: empty consumer")
	_, err = q.Receive(ctx, "w", 0, 0)
	assert.ErrorContains(t, err, "wecomredis: receive: n 0 is below 1")
	assert.ErrorContains(t, q.Ack(ctx, callback.Delivery{}), "wecomredis: ack: empty delivery id")
	assert.ErrorContains(t, q.Retry(ctx, callback.Delivery{}, 0), "wecomredis: retry: empty delivery id")
	assert.ErrorContains(t, q.DeadLetter(ctx, callback.Delivery{}, "x"), "wecomredis: dead letter: empty delivery id")
	_, err = q.DeadLetters(ctx, 0)
	assert.ErrorContains(t, err, "wecomredis: dead letters: n 0 is below 1")
	assert.ErrorContains(t, q.Replay(ctx, ""), "wecomredis: replay: empty id")
	for name, err := range map[string]error{
		"ack": q.Ack(ctx, callback.Delivery{}), "retry": q.Retry(ctx, callback.Delivery{}, 0),
		"dead letter": q.DeadLetter(ctx, callback.Delivery{}, ""), "replay": q.Replay(ctx, ""),
	} {
		assert.ErrorIs(t, err, wecom.ErrInvalidArgument, name)
	}
	_, err = q.Receive(ctx, "", 1, 0)
	assert.ErrorIs(t, err, wecom.ErrInvalidArgument)
	assert.ErrorContains(t, q.Replay(ctx, "not-an-id"), "wecomredis: replay: ")
}

// TestQueueHungRedis: every operation returns ErrTimeout within its bound
// (Receive: plus its wait) while Redis is SIGSTOPped, and works after.
func TestQueueHungRedis(t *testing.T) {
	r := startRedis(t)
	const bound = 100 * time.Millisecond
	q := newTestQueue(t, r, WithOpTimeout(bound))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	require.NoError(t, q.Enqueue(ctx, []byte("e")))
	ds, err := q.Receive(ctx, "w", 1, 0)
	require.NoError(t, err)
	require.Len(t, ds, 1)

	resumeNow := r.Pause(t, 10*time.Second)
	ops := map[string]func() error{
		"enqueue": func() error { return q.Enqueue(ctx, []byte("f")) },
		"receive": func() error { _, err := q.Receive(ctx, "w", 1, 100*time.Millisecond); return err },
		"ack":     func() error { return q.Ack(ctx, ds[0]) },
		"retry":   func() error { return q.Retry(ctx, ds[0], 0) },
		"dead letters": func() error {
			_, err := q.DeadLetters(ctx, 1)
			return err
		},
	}
	for name, op := range ops {
		start := time.Now()
		err := op()
		el := time.Since(start)
		assert.ErrorIs(t, err, ErrTimeout, name)
		assert.ErrorContains(t, err, "wecomredis: "+name+": ")
		assert.Less(t, el, 2*bound+700*time.Millisecond, name)
	}
	resumeNow()
	waitFor(t, 5*time.Second, "Redis to answer again", func() bool {
		return q.Enqueue(ctx, []byte("g")) == nil
	})
}

// TestQueueSurvivesLosingTheGroup: a Redis restarted without persistence
// has lost the group; the next Receive creates it again.
func TestQueueSurvivesLosingTheGroup(t *testing.T) {
	r := startRedis(t)
	r.Restartable(t)
	q := newTestQueue(t, r)
	ctx := context.Background()
	_, err := q.Receive(ctx, "w", 1, 0)
	require.NoError(t, err)
	r.Stop()
	r.Start()
	waitFor(t, 5*time.Second, "Redis to answer", func() bool { return q.Enqueue(ctx, []byte("after")) == nil })
	var got []callback.Delivery
	waitFor(t, 5*time.Second, "the event", func() bool {
		ds, err := q.Receive(ctx, "w", 1, 0)
		if err == nil {
			got = append(got, ds...)
		}
		return len(got) == 1
	})
	assert.Equal(t, "after", string(got[0].Data))
}
