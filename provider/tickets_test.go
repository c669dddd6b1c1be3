package provider_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wecomkit/wecom/provider"
)

func TestMemoryTicketStoreKeepsNewestPerSuite(t *testing.T) {
	ctx := context.Background()
	m := provider.NewMemoryTicketStore()
	now := time.Now().Unix()
	require.NoError(t, m.SetTicket(ctx, &provider.Ticket{SuiteID: "s1", Value: "new", TimeStamp: now}))
	require.NoError(t, m.SetTicket(ctx, &provider.Ticket{SuiteID: "s1", Value: "old", TimeStamp: now - 600})) // late, out of order
	require.NoError(t, m.SetTicket(ctx, &provider.Ticket{SuiteID: "s2", Value: "other", TimeStamp: now - 60}))
	got, ok, err := m.Ticket(ctx, "s1")
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, provider.Ticket{SuiteID: "s1", Value: "new", TimeStamp: now}, got)
	got, ok, _ = m.Ticket(ctx, "s2")
	require.True(t, ok)
	assert.Equal(t, "other", got.Value)
	_, ok, _ = m.Ticket(ctx, "s3")
	assert.False(t, ok)

	require.NoError(t, m.SetTicket(ctx, &provider.Ticket{SuiteID: "s4", Value: "stale", TimeStamp: now - int64(provider.TicketLife/time.Second) - 1}))
	_, ok, _ = m.Ticket(ctx, "s4")
	assert.False(t, ok, "older than 30 minutes")
	require.NoError(t, m.SetTicket(ctx, &provider.Ticket{SuiteID: "s4", Value: "fine", TimeStamp: now - int64(provider.TicketLife/time.Second) + 60}))
	got, ok, _ = m.Ticket(ctx, "s4")
	assert.True(t, ok)
	assert.Equal(t, "fine", got.Value)
}
