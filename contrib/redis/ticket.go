package redis

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/wecomkit/wecom/provider"
)

// TicketStore keeps the suite tickets of service-provider suites in Redis:
// a provider.TicketStore shared by every instance and surviving their
// restarts, so that a new instance need not wait up to 10 minutes for the
// next push. Each suite's newest ticket (by the push's TimeStamp) is kept
// under its own key and expires provider.TicketLife after its push.
//
// Every operation is bounded by the op timeout (WithOpTimeout, default
// 2s) on top of the caller's context: the instruction handler stores a
// ticket before answering WeCom, which wants an answer within 1000 ms.
type TicketStore struct {
	rdb       goredis.UniversalClient
	prefix    string
	opTimeout time.Duration
	now       func() time.Time
}

var _ provider.TicketStore = (*TicketStore)(nil)

// NewTicketStore returns a TicketStore on rdb. Of the options it uses
// WithPrefix and WithOpTimeout.
func NewTicketStore(rdb goredis.UniversalClient, opts ...Option) (*TicketStore, error) {
	if rdb == nil {
		return nil, errors.New("wecomredis: nil redis client")
	}
	o := newOptions(opts)
	return &TicketStore{rdb: rdb, prefix: o.prefix, opTimeout: o.opTimeout, now: time.Now}, nil
}

func (s *TicketStore) key(suiteID string) string { return s.prefix + "{suite:" + suiteID + "}:ticket" }

// setTicketScript stores ticket ARGV[1] pushed at ARGV[2] (Unix seconds)
// for ARGV[3] ms, unless the stored ticket was pushed later. Returns 1
// when stored.
var setTicketScript = goredis.NewScript(`
local cur = redis.call('HGET', KEYS[1], 'ts')
if cur and tonumber(cur) > tonumber(ARGV[2]) then return 0 end
redis.call('HSET', KEYS[1], 'ticket', ARGV[1], 'ts', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
`)

// SetTicket implements provider.TicketStore. A ticket already older than
// provider.TicketLife is not stored.
func (s *TicketStore) SetTicket(ctx context.Context, t *provider.Ticket) error {
	if t == nil {
		return nil
	}
	suiteID := t.SuiteID
	if suiteID == "" || t.Value == "" {
		return nil
	}
	// The expiry is relative, so the clocks of the instances and of Redis
	// need not agree; only this instance's reading of the push time counts.
	life := time.Unix(t.TimeStamp, 0).Add(provider.TicketLife).Sub(s.now())
	if life <= 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, s.opTimeout)
	defer cancel()
	err := setTicketScript.Run(ctx, s.rdb, []string{s.key(suiteID)}, t.Value, t.TimeStamp, life.Milliseconds()).Err()
	if err != nil {
		return fmt.Errorf("wecomredis: store suite ticket of %s: %w", suiteID, err)
	}
	return nil
}

// Ticket implements provider.TicketStore.
func (s *TicketStore) Ticket(ctx context.Context, suiteID string) (provider.Ticket, bool, error) {
	ctx, cancel := context.WithTimeout(ctx, s.opTimeout)
	defer cancel()
	v, err := s.rdb.HMGet(ctx, s.key(suiteID), "ticket", "ts").Result()
	if err != nil {
		return provider.Ticket{}, false, fmt.Errorf("wecomredis: read suite ticket of %s: %w", suiteID, err)
	}
	val, _ := v[0].(string)
	tsText, _ := v[1].(string)
	ts, perr := strconv.ParseInt(tsText, 10, 64)
	if val == "" || perr != nil {
		return provider.Ticket{}, false, nil
	}
	t := provider.Ticket{SuiteID: suiteID, Value: val, TimeStamp: ts}
	if !s.now().Before(time.Unix(t.TimeStamp, 0).Add(provider.TicketLife)) {
		return provider.Ticket{}, false, nil
	}
	return t, true, nil
}
