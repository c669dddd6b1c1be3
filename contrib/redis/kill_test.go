package redis

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wecomkit/wecom/callback"
)

// The kill tests run the test binary again as a child process (a callback
// server, a queue worker) that they SIGKILL and restart: childEnv selects
// the child's part, and TestMain runs it instead of the tests.

const childEnv = "WECOM_REDIS_TEST_CHILD"

// runChild runs the child named by childEnv, if any, and reports whether
// it did.
func runChild() bool {
	switch os.Getenv(childEnv) {
	case "":
		return false
	case "callback":
		callbackChild()
	case "worker":
		workerChild()
	default:
		fmt.Fprintln(os.Stderr, "unknown child", os.Getenv(childEnv))
		os.Exit(2)
	}
	return true
}

// childRedis is the child's go-redis client, as a service configures it.
func childRedis() *goredis.Client {
	return goredis.NewClient(&goredis.Options{
		Addr: os.Getenv("CHILD_REDIS"), DialTimeout: time.Second,
		ReadTimeout: 3 * time.Second, WriteTimeout: 3 * time.Second,
		ContextTimeoutEnabled: true, PoolSize: 32,
	})
}

func childFatal(err error) {
	fmt.Fprintln(os.Stderr, "child:", err)
	os.Exit(1)
}

// callbackChild serves callbacks on CHILD_ADDR: a callback.Handler with
// a Dedup (or, with CHILD_DEDUP=onestate, the old one-state claim) and a
// slow handler (CHILD_DELAY_MS..2×), which records each handling in
// Redis: the hash <prefix>handled counts handlings per event (by dedup
// key), the list <prefix>log says which generation (CHILD_GEN) handled
// and marked done (recordDone) which.
func callbackChild() {
	prefix, gen := os.Getenv("CHILD_PREFIX"), os.Getenv("CHILD_GEN")
	delay, _ := strconv.Atoi(os.Getenv("CHILD_DELAY_MS"))
	rdb := childRedis()
	var d callback.DedupStore
	// A bound for a loaded -race run (see testBound), not for a hang.
	d, err := NewDedup(rdb, WithPrefix(prefix), WithOpTimeout(3*time.Second))
	if err != nil {
		childFatal(err)
	}
	if os.Getenv("CHILD_DEDUP") == "onestate" {
		d = oneState{rdb: rdb, prefix: prefix}
	}
	// The lease is the handler timeout plus callback.DefaultLeaseMargin:
	// 4s, after which a killed server's events are free again.
	h, err := newCallbackHandler(recordDone{DedupStore: d, rdb: rdb, list: prefix + "log", who: gen},
		callback.WithHandlerTimeout(2*time.Second), callback.WithStoreTimeout(3*time.Second))
	if err != nil {
		childFatal(err)
	}
	callback.On(h, func(ctx context.Context, ev *callback.AddExternalContact) error {
		id := callback.DedupKey([]byte(ev.Raw))
		rdb.Incr(ctx, prefix+"inflight:"+gen)
		time.Sleep(time.Duration(delay+rand.IntN(delay+1)) * time.Millisecond)
		// The handling's effect: one atomic write.
		_, err := rdb.TxPipelined(ctx, func(p goredis.Pipeliner) error {
			p.HIncrBy(ctx, prefix+"handled", id, 1)
			p.RPush(ctx, prefix+"log", gen+" handled "+id)
			return nil
		})
		return err
	})
	srv := &http.Server{Addr: os.Getenv("CHILD_ADDR"), Handler: h, ReadHeaderTimeout: 5 * time.Second}
	childFatal(srv.ListenAndServe())
}

// recordDone is a DedupStore that appends "<who> done <key>" to the
// Redis list list after each Done that succeeded: a test can tell a
// handling that was finished from one killed before Done.
type recordDone struct {
	callback.DedupStore
	rdb  *goredis.Client
	list string
	who  string
}

func (r recordDone) Done(ctx context.Context, key, owner string, ttl time.Duration) error {
	err := r.DedupStore.Done(ctx, key, owner, ttl)
	if err == nil {
		r.rdb.RPush(context.WithoutCancel(ctx), r.list, r.who+" done "+key)
	}
	return err
}

// oneState is the claim Store had before Dedup, as a DedupStore for the
// real Handler: SET NX with the whole dedup window and no lease, so
// "taken" reads as done.
type oneState struct {
	rdb    *goredis.Client
	prefix string
}

func (o oneState) Claim(ctx context.Context, key, _ string, _ time.Duration) (callback.ClaimState, error) {
	ok, err := o.rdb.SetNX(ctx, o.prefix+"dedup:"+key, "1", time.Hour).Result()
	if err != nil || ok {
		return callback.ClaimAcquired, err
	}
	return callback.ClaimDone, nil
}

func (o oneState) Done(context.Context, string, string, time.Duration) error { return nil }

func (o oneState) Release(ctx context.Context, key, _ string) error {
	return o.rdb.Del(ctx, o.prefix+"dedup:"+key).Err()
}

// startChild starts the test binary as child kind with env, killed with
// the test (Pdeathsig) at the latest.
func startChild(t *testing.T, kind string, env ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(append(os.Environ(), childEnv+"="+kind), env...)
	cmd.Stderr = os.Stderr
	reapWithTest(cmd)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	return cmd
}

func kill(cmd *exec.Cmd) {
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().String()
}

// TestKillCallbackServerWithDedup: a callback server (callback.Handler
// with the Redis Dedup) is SIGKILLed three times with slow events in
// flight and restarted; a driver playing WeCom redelivers every event not
// answered "success". Every event is handled, none twice: a killed
// server's leases run out, and until then redeliveries are answered 503,
// not "success".
func TestKillCallbackServerWithDedup(t *testing.T) {
	run := runKillCallback(t, "")
	for _, key := range run.want {
		_, ok := run.handled[key]
		assert.True(t, ok, "event %s handled", key)
	}
	assert.Len(t, run.handled, killEvents, "only the events sent were handled")
	assert.Positive(t, run.answers[inProgress], "redeliveries met a killed server's leases and were answered 503")
	verifyKillCallback(t, run.handled, run.log, run.inflight)
}

// inProgress is the Handler's answer to a redelivery of an event whose
// claim someone holds.
const inProgress = "503 event still being handled"

// TestKillCallbackServerOneStateLoses is the control: the same run with
// the one-state claim the Store had (SET NX with the whole dedup window,
// no lease) behind the same Handler acknowledges, after each restart, the
// events its killed holder never finished as duplicates: events are lost.
func TestKillCallbackServerOneStateLoses(t *testing.T) {
	run := runKillCallback(t, "onestate")
	t.Logf("one-state claim: %d of %d events handled", len(run.handled), killEvents)
	assert.Less(t, len(run.handled), killEvents, "the one-state claim loses events")
}

const killEvents, killKills = 40, 3

// killRun is what runKillCallback saw.
type killRun struct {
	want     []string          // the dedup keys of the events sent
	handled  map[string]string // dedup key → handlings
	log      []string          // "<gen> handled <key>", "<gen> done <key>"
	inflight int               // handlings started in the killed servers
	answers  map[string]int    // the driver's answers ("error" for no answer)
}

// runKillCallback runs the kill test's callback server (dedupKind "" for
// Dedup, "onestate" for the old claim) under the driver.
func runKillCallback(t *testing.T, dedupKind string) killRun {
	t.Helper()
	r := startRedis(t)
	rdb := r.Client(t)
	ctx := context.Background()
	prefix := testPrefix(t)
	addr := freeAddr(t)
	url := "http://" + addr + "/"
	const events, kills = killEvents, killKills
	start := func(gen int) *exec.Cmd {
		cmd := startChild(t, "callback", "CHILD_REDIS="+r.Addr, "CHILD_PREFIX="+prefix,
			"CHILD_ADDR="+addr, "CHILD_GEN="+strconv.Itoa(gen), "CHILD_DELAY_MS=300", "CHILD_DEDUP="+dedupKind)
		waitFor(t, 20*time.Second, "the callback server to listen", func() bool {
			c, err := net.DialTimeout("tcp", addr, 100*time.Millisecond)
			if err == nil {
				c.Close()
			}
			return err == nil
		})
		return cmd
	}
	child := start(0)

	// The driver: each event is delivered until answered "success", as
	// WeCom redelivers an unanswered callback, with a 5s answer limit.
	hc := &http.Client{Timeout: 5 * time.Second}
	var answered atomic.Int32
	var mu sync.Mutex
	run := killRun{answers: map[string]int{}}
	var wg sync.WaitGroup
	deadline := time.Now().Add(90 * time.Second)
	for i := 0; i < events; i++ {
		ev := strings.Replace(addContactXML, "wmFleetCustomer0001", fmt.Sprintf("wmKillTest%04d", i), 1)
		run.want = append(run.want, callback.DedupKey([]byte(ev)))
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) {
				got, err := deliver(hc, url, ev)
				if err != nil {
					got = "error"
				}
				mu.Lock()
				run.answers[got]++
				mu.Unlock()
				if got == "200 success" {
					answered.Add(1)
					return
				}
				time.Sleep(time.Duration(100+rand.IntN(200)) * time.Millisecond)
			}
		}()
	}

	for gen := 0; gen < kills; gen++ {
		// Kill with several slow events in flight.
		waitFor(t, 30*time.Second, "events in flight", func() bool {
			n, _ := rdb.Get(ctx, prefix+"inflight:"+strconv.Itoa(gen)).Int()
			return n >= 5 || answered.Load() == events // (the control acknowledges them all early)
		})
		kill(child)
		child = start(gen + 1)
	}
	wg.Wait()
	t.Logf("the driver's answers: %v", run.answers)
	require.Equal(t, int32(events), answered.Load(), "every event answered success in time")
	for gen := 0; gen < kills; gen++ {
		n, _ := rdb.Get(ctx, prefix+"inflight:"+strconv.Itoa(gen)).Int()
		run.inflight += n
	}
	run.handled = rdb.HGetAll(ctx, prefix+"handled").Val()
	run.log = rdb.LRange(ctx, prefix+"log", 0, -1).Val()
	return run
}

// verifyKillCallback is the rest of TestKillCallbackServerWithDedup.
func verifyKillCallback(t *testing.T, handled map[string]string, log []string, inflight int) {
	const kills = killKills
	// A handling whose process was killed between its effect and Done
	// (one round trip) is the one way to handle an event twice that a
	// lease cannot close; any other second handling is a defect.
	firstBy := map[string]string{}
	finished := map[string]bool{}
	for _, line := range log {
		f := strings.Fields(line)
		if f[1] == "handled" {
			if _, ok := firstBy[f[2]]; !ok {
				firstBy[f[2]] = f[0]
			}
		} else {
			finished[f[0]+" "+f[2]] = true
		}
	}
	twice, handlings := 0, 0
	for _, line := range log {
		if strings.Contains(line, " handled ") {
			handlings++
		}
	}
	for id, n := range handled {
		if n == "1" {
			continue
		}
		twice++
		g := firstBy[id]
		gen, _ := strconv.Atoi(g)
		assert.True(t, gen < kills && !finished[g+" "+id],
			"event %s handled %s times, first by generation %s, which finished it or was not killed", id, n, g)
	}
	t.Logf("%d events, %d kills with %d handlings started in the killed servers: %d handlings in all, %d events handled twice (killed between effect and Done)",
		killEvents, kills, inflight, handlings, twice)
	assert.GreaterOrEqual(t, inflight, kills*5, "slow events were in flight at each kill")
	assert.LessOrEqual(t, twice, 1, "a kill lands between effect and Done rarely")
}

// workerChild is a worker-only process of the async mode: a
// callback.Handler with the Redis Dedup and the kill test's handler,
// never served, and a callback.Worker on the Queue "events" as consumer
// CHILD_CONSUMER. The handler records each handling in Redis:
// <prefix>handled counts handlings per event (by dedup key) and
// <prefix>by:<key> lists the consumers that handled it; recordDone
// appends "<consumer> done <key>" to <prefix>done, and recordAck counts
// the acknowledgements. SIGTERM shuts the worker down and exits 0.
func workerChild() {
	prefix, consumer := os.Getenv("CHILD_PREFIX"), os.Getenv("CHILD_CONSUMER")
	rdb := childRedis()
	// Bounds for a loaded -race run (see testBound), not for a hang.
	q, err := NewQueue(rdb, "events", WithPrefix(prefix), WithVisibilityTimeout(killVisibility), WithOpTimeout(3*time.Second))
	if err != nil {
		childFatal(err)
	}
	d, err := NewDedup(rdb, WithPrefix(prefix), WithOpTimeout(3*time.Second))
	if err != nil {
		childFatal(err)
	}
	h, err := newCallbackHandler(recordDone{DedupStore: d, rdb: rdb, list: prefix + "done", who: consumer},
		callback.WithStoreTimeout(3*time.Second))
	if err != nil {
		childFatal(err)
	}
	callback.On(h, func(ctx context.Context, ev *callback.AddExternalContact) error {
		id := callback.DedupKey([]byte(ev.Raw))
		_, err := rdb.TxPipelined(ctx, func(p goredis.Pipeliner) error {
			p.HIncrBy(ctx, prefix+"handled", id, 1)
			p.RPush(ctx, prefix+"by:"+id, consumer)
			return nil
		})
		return err
	})
	// The claim's lease (HandlerTimeout plus callback.DefaultLeaseMargin,
	// 3s) has run out by the time a killed worker's events are taken over.
	w, err := callback.NewWorker(h, recordAck{Queue: q, rdb: rdb, prefix: prefix, who: consumer}, &callback.WorkerOptions{
		Consumer: consumer, Concurrency: killConcurrency, HandlerTimeout: time.Second,
		Backoff: 100 * time.Millisecond, MaxBackoff: time.Second,
		ReceiveWait: 200 * time.Millisecond, QueueTimeout: 3 * time.Second,
	})
	if err != nil {
		childFatal(err)
	}
	if err := w.Start(); err != nil {
		childFatal(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := w.Shutdown(sctx); err != nil {
		childFatal(err)
	}
}

// The kill test's queue: a killed worker's events are taken over after
// killVisibility; each worker handles killConcurrency at once.
const (
	killVisibility  = 4 * time.Second
	killConcurrency = 8
)

// recordAck is a Queue that records each Ack of the event with dedup
// key k: it appends its consumer to <prefix>acking:<k> before, and counts
// it in the hash <prefix>acked after the Ack succeeded. A missing count
// is excused only when the last acking consumer was killed.
type recordAck struct {
	callback.Queue
	rdb    *goredis.Client
	prefix string
	who    string
}

func (r recordAck) Ack(ctx context.Context, d callback.Delivery) error {
	key := callback.DedupKey(d.Data)
	r.rdb.RPush(ctx, r.prefix+"acking:"+key, r.who)
	err := r.Queue.Ack(ctx, d)
	if err == nil {
		r.rdb.HIncrBy(ctx, r.prefix+"acked", key, 1)
	}
	return err
}

// stopChildren asks children to stop (SIGTERM) and waits for them.
func stopChildren(t *testing.T, cmds ...*exec.Cmd) {
	t.Helper()
	exited := make(chan error, len(cmds))
	for _, cmd := range cmds {
		require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
		go func() { exited <- cmd.Wait() }()
	}
	timeout := time.After(20 * time.Second)
	for range cmds {
		select {
		case err := <-exited:
			assert.NoError(t, err, "a worker shut down cleanly")
			continue
		case <-timeout:
		}
		t.Error("a worker did not stop on SIGTERM")
		for _, cmd := range cmds {
			_ = cmd.Process.Kill()
		}
		timeout = nil // the kills end every Wait
		<-exited
	}
}

// TestKillQueueWorkers: 10,000 events reach the Redis Streams Queue, the
// last 2,000 as WeCom's POSTs to a callback.Handler in async mode
// (WithQueue), while three worker processes (callback.NewWorker with the
// Redis Dedup) are SIGKILLed at random, ten kills, and restarted under new
// consumer names. None is lost; each is claimed done once and
// acknowledged once; an event handled twice was first handled by a worker
// killed before it marked the event done.
func TestKillQueueWorkers(t *testing.T) {
	r := startRedis(t)
	rdb := r.Client(t)
	ctx := context.Background()
	prefix := testPrefix(t)
	q, err := NewQueue(rdb, "events", WithPrefix(prefix), WithOpTimeout(2*time.Second), WithVisibilityTimeout(killVisibility))
	require.NoError(t, err)
	const events, viaHandler, workers, kills = 10_000, 2_000, 3, 10
	xmls := make([]string, events)
	keys := make([]string, events)
	for i := range xmls {
		xmls[i] = strings.Replace(addContactXML, "wmFleetCustomer0001", fmt.Sprintf("wmQueue%05d", i), 1)
		keys[i] = callback.DedupKey([]byte(xmls[i]))
	}

	// Events viaHandler.. are enqueued directly, before any worker runs.
	var wg sync.WaitGroup
	var enqErr atomic.Pointer[error]
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := viaHandler + g; i < events; i += 8 {
				if err := q.Enqueue(ctx, []byte(xmls[i])); err != nil {
					enqErr.CompareAndSwap(nil, &err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if p := enqErr.Load(); p != nil {
		t.Fatal(*p)
	}
	require.Equal(t, int64(events-viaHandler), rdb.XLen(ctx, q.stream).Val())

	t0 := time.Now()
	killed := map[string]bool{}
	var next int
	start := func() (*exec.Cmd, string) {
		name := fmt.Sprintf("worker-%d", next)
		next++
		return startChild(t, "worker", "CHILD_REDIS="+r.Addr, "CHILD_PREFIX="+prefix, "CHILD_CONSUMER="+name), name
	}
	procs := make([]*exec.Cmd, workers)
	names := make([]string, workers)
	for i := range procs {
		procs[i], names[i] = start()
	}

	// Events ..viaHandler arrive meanwhile as WeCom's POSTs, each until
	// answered "success". An event answered otherwise may have been
	// enqueued anyway (an Enqueue that timed out), so twice.
	d, err := NewDedup(rdb, WithPrefix(prefix), WithOpTimeout(testBound))
	require.NoError(t, err)
	h, err := newCallbackHandler(d, callback.WithQueue(q))
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	hc := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 8}}
	t.Cleanup(hc.CloseIdleConnections)
	var retriedMu sync.Mutex
	retried := map[string]bool{}
	var posted atomic.Int32
	deadline := time.Now().Add(60 * time.Second)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := g; i < viaHandler; i += 8 {
				for time.Now().Before(deadline) {
					got, err := deliver(hc, srv.URL, xmls[i])
					if err == nil && got == "200 success" {
						posted.Add(1)
						break
					}
					retriedMu.Lock()
					retried[keys[i]] = true
					retriedMu.Unlock()
					time.Sleep(50 * time.Millisecond)
				}
			}
		}()
	}

	for k := 0; k < kills; k++ {
		time.Sleep(time.Duration(100+rand.IntN(300)) * time.Millisecond)
		i := rand.IntN(workers)
		kill(procs[i])
		killed[names[i]] = true
		procs[i], names[i] = start()
	}
	wg.Wait()
	require.Equal(t, int32(viaHandler), posted.Load(), "every POST answered success in time")
	// Done when every event was handled and the queue holds nothing:
	// not on the stream, not pending with a worker, not waiting to retry.
	waitFor(t, 60*time.Second, "every event handled and the queue empty", func() bool {
		return rdb.HLen(ctx, prefix+"handled").Val() == events &&
			rdb.XLen(ctx, q.stream).Val() == 0 &&
			rdb.XPending(ctx, q.stream, QueueGroup).Val().Count == 0 &&
			rdb.ZCard(ctx, q.delayed).Val() == 0
	})
	took := time.Since(t0)
	// The survivors finish what they hold and stop.
	stopChildren(t, procs...)

	handled := rdb.HGetAll(ctx, prefix+"handled").Val()
	acked := rdb.HGetAll(ctx, prefix+"acked").Val()
	assert.Len(t, handled, events, "only the events sent were handled")
	assert.Zero(t, rdb.XLen(ctx, q.stream).Val(), "the stream is empty")
	assert.Zero(t, rdb.XPending(ctx, q.stream, QueueGroup).Val().Count, "nothing pending")
	assert.Zero(t, rdb.ZCard(ctx, q.delayed).Val(), "no retry waiting")
	assert.Zero(t, rdb.XLen(ctx, q.dead).Val(), "no dead letter")
	doneBy := map[string][]string{}
	for _, line := range rdb.LRange(ctx, prefix+"done", 0, -1).Val() {
		who, key, _ := strings.Cut(line, " done ")
		doneBy[key] = append(doneBy[key], who)
	}
	// One pipeline for the records of all the events.
	claims := make([]*goredis.StringCmd, events)
	ackings := make([]*goredis.StringSliceCmd, events)
	bys := make([]*goredis.StringSliceCmd, events)
	_, err = rdb.Pipelined(ctx, func(p goredis.Pipeliner) error {
		for i, key := range keys {
			claims[i] = p.Get(ctx, prefix+"dedup:"+key)
			ackings[i] = p.LRange(ctx, prefix+"acking:"+key, 0, -1)
			bys[i] = p.LRange(ctx, prefix+"by:"+key, 0, -1)
		}
		return nil
	})
	require.NoError(t, err)
	dups, unrecorded := 0, 0
	for i, key := range keys {
		ev := fmt.Sprintf("event %d (%s)", i, key)
		if _, ok := handled[key]; !ok {
			t.Errorf("%s lost", ev)
			continue
		}
		// Claimed once: the dedup key is done, marked so by one worker.
		assert.Equal(t, "done", claims[i].Val(), "%s: claim", ev)
		assert.LessOrEqual(t, len(doneBy[key]), 1, "%s marked done by %v", ev, doneBy[key])
		// Acknowledged once: the record is missing only where the acking
		// worker was killed between Ack and the record; twice only for an
		// event WeCom's POST may have enqueued twice.
		switch acking := ackings[i].Val(); acked[key] {
		case "1":
		case "":
			unrecorded++
			assert.True(t, len(acking) > 0 && killed[acking[len(acking)-1]], "%s: no Ack recorded, acking %v", ev, acking)
		default:
			assert.True(t, retried[key], "%s acknowledged %s times", ev, acked[key])
		}
		by := bys[i].Val()
		if len(by) <= 1 {
			continue
		}
		// Handled again only after a worker was killed between the
		// handling's effect and Done.
		dups++
		for _, c := range by[:len(by)-1] {
			assert.True(t, killed[c] && !slices.Contains(doneBy[key], c), "%s handled by %v; done by %v; killed %v", ev, by, doneBy[key], killed)
		}
	}
	t.Logf("%d events (%d through the Handler, %d of them posted again), %d kills of %d workers: all handled in %s; %d handled twice, %d Ack records lost to a kill",
		events, viaHandler, len(retried), kills, workers, took.Round(time.Millisecond), dups, unrecorded)
	assert.LessOrEqual(t, dups, kills*killConcurrency, "at most the events in flight at each kill")
}
