package redis

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// The tests run against a real Redis: the one at REDIS_ADDR, or else a
// redis-server each test starts on a free loopback port (the Debian package
// redis-server provides it). Without either they skip, except in CI (CI set)
// or with WECOM_REQUIRE_REDIS=1, where they fail.

func TestMain(m *testing.M) {
	if runChild() {
		os.Exit(0)
	}
	// go-redis logs every failed dial; the tests stop Redis on purpose.
	goredis.SetLogger(quietLogger{})
	os.Exit(m.Run())
}

type quietLogger struct{}

func (quietLogger) Printf(context.Context, string, ...any) {}

// redisRequired reports whether a missing Redis fails the tests.
func redisRequired() bool {
	for _, v := range []string{os.Getenv("CI"), os.Getenv("WECOM_REQUIRE_REDIS")} {
		if v != "" && v != "0" && !strings.EqualFold(v, "false") {
			return true
		}
	}
	return false
}

// testRedis is a Redis for one test: an external one (REDIS_ADDR) or a
// redis-server process the test owns and may stop and start again.
type testRedis struct {
	t        testing.TB
	Addr     string
	external bool
	bin      string
	dir      string

	mu  sync.Mutex
	cmd *exec.Cmd
}

// startRedis returns a running Redis for t, stopped when t ends.
func startRedis(t testing.TB) *testRedis {
	t.Helper()
	if addr := os.Getenv("REDIS_ADDR"); addr != "" {
		return &testRedis{t: t, Addr: addr, external: true}
	}
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if redisRequired() {
			t.Fatalf("redis-server not found on PATH and REDIS_ADDR unset; install it (apt-get install redis-server): %v", err)
		}
		t.Skip("skipping: needs a Redis: set REDIS_ADDR or put redis-server on PATH (apt-get install redis-server)")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	r := &testRedis{t: t, Addr: addr, bin: bin, dir: t.TempDir()}
	r.Start()
	t.Cleanup(r.Stop)
	return r
}

// Start starts the redis-server process (again) on the same port.
func (r *testRedis) Start() {
	r.t.Helper()
	if r.external {
		r.t.Fatal("cannot start an external Redis (REDIS_ADDR)")
	}
	_, port, _ := net.SplitHostPort(r.Addr)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cmd != nil {
		r.t.Fatal("redis-server already running")
	}
	var out bytes.Buffer
	cmd := exec.Command(r.bin,
		"--bind", "127.0.0.1", "--port", port, "--save", "", "--appendonly", "no",
		"--dir", r.dir, "--protected-mode", "yes", "--loglevel", "warning")
	cmd.Stdout, cmd.Stderr = &out, &out
	reapWithTest(cmd)
	if err := cmd.Start(); err != nil {
		r.t.Fatalf("start redis-server: %v", err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if pingRaw(r.Addr) == nil {
			break
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			r.t.Fatalf("redis-server on %s did not come up: %s", r.Addr, out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	r.cmd = cmd
}

// Stop kills the redis-server process, as a crash would.
func (r *testRedis) Stop() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cmd == nil {
		return
	}
	_ = r.cmd.Process.Kill()
	_ = r.cmd.Wait()
	r.cmd = nil
}

// Pause stops the redis-server with SIGSTOP for at most d, and returns a
// func that resumes it (also run when the test ends, and by itself after
// d): Redis is up and holds its connections, but answers nothing.
func (r *testRedis) Pause(t testing.TB, d time.Duration) (resumeNow func()) {
	t.Helper()
	r.Restartable(t)
	if !canPause {
		t.Skip("skipping: needs SIGSTOP")
	}
	r.mu.Lock()
	p := r.cmd.Process
	r.mu.Unlock()
	if err := pause(p); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	resumeNow = func() { once.Do(func() { _ = resume(p) }) }
	timer := time.AfterFunc(d, resumeNow)
	t.Cleanup(func() { timer.Stop(); resumeNow() })
	return resumeNow
}

// Restartable skips a test that must stop Redis when Redis is external.
func (r *testRedis) Restartable(t testing.TB) {
	t.Helper()
	if r.external {
		t.Skip("skipping: stops and restarts Redis, which REDIS_ADDR does not allow; unset it to use a redis-server of the test's own")
	}
}

// pingRaw sends PING over a fresh connection, without go-redis.
func pingRaw(addr string) error {
	c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(time.Second))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	buf := make([]byte, 7)
	n, err := c.Read(buf)
	if err != nil {
		return err
	}
	if !strings.HasPrefix(string(buf[:n]), "+PONG") {
		return fmt.Errorf("unexpected reply %q", buf[:n])
	}
	return nil
}

// Client returns a go-redis client with short timeouts, closed when the
// test ends.
func (r *testRedis) Client(t testing.TB) *goredis.Client {
	t.Helper()
	c := goredis.NewClient(&goredis.Options{
		Addr:          r.Addr,
		DialTimeout:   300 * time.Millisecond,
		ReadTimeout:   time.Second,
		WriteTimeout:  time.Second,
		MaxRetries:    -1, // fail fast: the tests stop Redis on purpose
		DialerRetries: 1,
		PoolSize:      64,
	})
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// testPrefix returns a key prefix of its own for a test, so that tests
// sharing an external Redis do not meet.
func testPrefix(t testing.TB) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return "wecomtest:" + hex.EncodeToString(b[:]) + ":"
}

// testBound is the operation bound of the tests that are not about a hung
// Redis: as long as the test clients' ReadTimeout, since a -race run on a
// loaded two-core machine can take a loopback round trip of hundreds of
// milliseconds, which DefaultOpTimeout would take for a hang.
const testBound = time.Second

// newTestStore returns a Store on a fresh Redis of the test's own.
func newTestStore(t testing.TB, opts ...Option) (*Store, *testRedis, *goredis.Client) {
	t.Helper()
	r := startRedis(t)
	rdb := r.Client(t)
	s, err := NewStore(rdb, append([]Option{WithPrefix(testPrefix(t)), WithOpTimeout(testBound)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return s, r, rdb
}

// logBuffer is a concurrency-safe log sink for asserting what was logged.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func (l *logBuffer) Logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func (l *logBuffer) Count(substr string) int {
	return strings.Count(l.String(), substr)
}

// waitFor polls cond every 10ms until it holds or d passes.
func waitFor(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
