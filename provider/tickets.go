package provider

import (
	"context"
	"sync"
	"time"
)

// TicketLife is how long WeCom accepts a suite ticket after it was pushed:
// 30 minutes, so a ticket survives two missed pushes (one every 10).
const TicketLife = 30 * time.Minute

// Ticket is a suite ticket (suite_ticket) as pushed to the instruction URL.
type Ticket struct {
	// SuiteID is the suite the ticket belongs to (the push's SuiteId).
	SuiteID string
	// Value is the ticket. Never log it.
	Value string
	// TimeStamp is the push's TimeStamp (Unix seconds): tickets compare by
	// it, and it starts the ticket's TicketLife.
	TimeStamp int64
}

// pushedAt returns TimeStamp as a time.Time (zero for 0).
func (t Ticket) pushedAt() time.Time {
	if t.TimeStamp == 0 {
		return time.Time{}
	}
	return time.Unix(t.TimeStamp, 0)
}

// TicketStore keeps the newest suite ticket of each suite. The instruction
// handler stores every suite_ticket push into it, and a Suite reads it when
// it fetches a suite_access_token. Use one store shared by every instance
// (contrib/redis) so that a restart or another instance does not wait up to
// 10 minutes for the next push.
//
// Implementations must be safe for concurrent use and keep the tickets of
// different suites apart.
type TicketStore interface {
	// SetTicket stores t for t.SuiteID unless the store already holds a
	// ticket with a later TimeStamp (pushes can arrive out of order).
	SetTicket(ctx context.Context, t *Ticket) error
	// Ticket returns the newest ticket of suiteID; ok is false when there
	// is none or it is older than TicketLife.
	Ticket(ctx context.Context, suiteID string) (t Ticket, ok bool, err error)
}

// MemoryTicketStore is an in-process TicketStore, the default of a Suite.
// It does not survive a restart.
type MemoryTicketStore struct {
	mu  sync.Mutex
	m   map[string]Ticket
	now func() time.Time
}

// NewMemoryTicketStore returns an empty MemoryTicketStore.
func NewMemoryTicketStore() *MemoryTicketStore {
	return &MemoryTicketStore{m: map[string]Ticket{}, now: time.Now}
}

// SetTicket implements TicketStore.
//
// WeCom: POST /cgi-bin/service/get_suite_token (takes the ticket stored)
func (m *MemoryTicketStore) SetTicket(_ context.Context, t *Ticket) error {
	if t == nil || t.SuiteID == "" || t.Value == "" {
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if old, ok := m.m[t.SuiteID]; ok && old.TimeStamp > t.TimeStamp {
		return nil
	}
	m.m[t.SuiteID] = *t
	return nil
}

// Ticket implements TicketStore.
//
// WeCom: POST /cgi-bin/service/get_suite_token (takes the ticket read)
func (m *MemoryTicketStore) Ticket(_ context.Context, suiteID string) (Ticket, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, ok := m.m[suiteID]
	if !ok {
		return Ticket{}, false, nil
	}
	if !m.now().Before(t.pushedAt().Add(TicketLife)) {
		return Ticket{}, false, nil
	}
	return t, true, nil
}
