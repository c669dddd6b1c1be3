package wecomtest

import (
	"math/rand/v2"
	"net/http"
	"sync"
	"time"
)

// Fault is a failure the server injects instead of (or after) serving a
// call. Set one of Code, HTTPStatus, Drop or RevokeToken; Delay may be
// combined with any of them or used alone.
type Fault struct {
	// Code answers with this errcode (and Message, or a default).
	Code    int
	Message string
	// HTTPStatus answers with this status and an HTML error page, as a
	// gateway in front of WeCom would.
	HTTPStatus int
	// Drop closes the connection without an answer.
	Drop bool
	// RevokeToken revokes the token the call carried (as a secret reset
	// does) and answers 40014.
	RevokeToken bool
	// Delay waits before answering.
	Delay time.Duration
	// AfterApply serves the call first, so its change is applied, and then
	// fails: the client cannot tell whether the change happened.
	AfterApply bool
}

// Common faults.
var (
	FaultBusy           = Fault{Code: codeSystemBusy, Message: "system busy"}
	FaultRateLimited    = Fault{Code: codeFrequencyLimit, Message: "api freq out of limit"}
	FaultBadGateway     = Fault{HTTPStatus: http.StatusBadGateway}
	FaultDropped        = Fault{Drop: true}
	FaultTokenRevoked   = Fault{RevokeToken: true}
	FaultTokenExpired   = Fault{Code: codeTokenExpired, Message: "access_token expired"}
	FaultServiceDown    = Fault{HTTPStatus: http.StatusServiceUnavailable}
	FaultGatewayTimeout = Fault{HTTPStatus: http.StatusGatewayTimeout}
)

type faults struct {
	mu    sync.Mutex
	next  map[string][]Fault // path ("" = any) → queued faults
	rate  float64
	kinds []Fault
	rnd   *rand.Rand
}

func newFaults(seed uint64) *faults {
	return &faults{next: map[string][]Fault{}, rnd: rand.New(rand.NewPCG(seed, 0xfa17))}
}

// FailNext makes the next n calls of path fail with f. An empty path
// means any path, gettoken included.
func (s *Server) FailNext(path string, n int, f Fault) {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	for i := 0; i < n; i++ {
		s.faults.next[path] = append(s.faults.next[path], f)
	}
}

// SetFaultRate makes each call fail, with probability rate, with one of
// kinds picked at random (from the server's seeded source). Rate 0 stops
// random faults.
func (s *Server) SetFaultRate(rate float64, kinds ...Fault) {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.rate = rate
	s.faults.kinds = append([]Fault(nil), kinds...)
}

// ClearFaults removes every queued fault and the fault rate.
func (s *Server) ClearFaults() {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.next = map[string][]Fault{}
	s.faults.rate = 0
}

// take returns the fault for this call of path, if any.
func (f *faults) take(path string) (Fault, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, p := range [2]string{path, ""} {
		if q := f.next[p]; len(q) > 0 {
			f.next[p] = q[1:]
			return q[0], true
		}
	}
	if f.rate > 0 && len(f.kinds) > 0 && f.rnd.Float64() < f.rate {
		return f.kinds[f.rnd.IntN(len(f.kinds))], true
	}
	return Fault{}, false
}

// applyFault answers c with f. done is false for a pure delay.
func (s *Server) applyFault(w http.ResponseWriter, c *call, f Fault) (code int, done bool) {
	switch {
	case f.Drop:
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
			}
		}
		return -2, true
	case f.HTTPStatus != 0:
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(f.HTTPStatus)
		_, _ = w.Write([]byte("<html><head><title>" + http.StatusText(f.HTTPStatus) + "</title></head><body><center><h1>" +
			http.StatusText(f.HTTPStatus) + "</h1></center><hr><center>nginx</center></body></html>"))
		return -2, true
	case f.RevokeToken:
		s.mu.Lock()
		delete(s.tokens, c.token)
		s.mu.Unlock()
		return s.writeError(w, errorf(codeInvalidToken, "invalid access_token")), true
	case f.Code != 0:
		msg := f.Message
		if msg == "" {
			msg = "injected failure"
		}
		return s.writeError(w, errorf(f.Code, "%s", msg)), true
	}
	return 0, false
}

// limits counts calls per path in fixed one-minute windows of the server
// clock, as WeCom's per-API frequency limit does.
type limits struct {
	mu     sync.Mutex
	def    int
	perAPI map[string]int
	window map[string]int64 // path → current window (unix minute)
	count  map[string]int
}

func newLimits(def int, perAPI map[string]int) *limits {
	return &limits{def: def, perAPI: perAPI, window: map[string]int64{}, count: map[string]int{}}
}

func (l *limits) allow(path string, now time.Time) bool {
	limit, ok := l.perAPI[path]
	if !ok {
		limit = l.def
	}
	if limit <= 0 {
		return true
	}
	minute := now.Unix() / 60
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.window[path] != minute {
		l.window[path], l.count[path] = minute, 0
	}
	if l.count[path] >= limit {
		return false
	}
	l.count[path]++
	return true
}
