package wecomtest

import "time"

// runTickers brings time-driven state up to date (a customer transfer that
// completes after its 24-hour wait, a mass message whose senders act).
// Each ticker runs with s.mu held before every handler, so every endpoint sees
// the state as of the server clock's now, whoever reads it. Add an
// area's ticker to the list here.
func (s *Server) runTickers(now time.Time) {
	for _, t := range [...]func(s *Server, now time.Time){
		settleECTransfers,
	} {
		t(s, now)
	}
}

// Tick brings time-driven state up to date with the server clock: a
// customer transfer whose 24-hour wait is over completes, and so on. Every
// API call does this first; call it before reading state through fixtures
// such as FollowsOf after moving the clock with Clock().Advance.
func (s *Server) Tick() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.runTickers(s.clock.Now())
}
