// Package redis shares a WeCom integration's state across a fleet of
// instances through Redis: the access token, the per-API call budget,
// callback deduplication and the durable queue of async callbacks.
//
// A fleet of instances (pods, workers) using one WeCom corp must share
// three things, or the instances fight each other:
//
//   - The access token. Store is a wecom.TokenCache and a
//     wecom.TokenLocker: the instances share one token, and when it is due
//     for refresh (WithTokenRefreshAhead) one instance fetches the next one
//     under a lease (SET NX PX with a random fencing value) while the
//     others wait for it; if that instance dies, its lease expires and
//     another takes over. A token WeCom rejects (40014, 42001) is deleted
//     only if it is still the one stored (compare and delete), so a newer
//     token survives, and a late writer cannot replace a newer token with
//     an older one.
//   - The call budget. Limiter is a wecom.Limiter that keeps the whole
//     fleet under one budget per corp and API: a GCRA token bucket in one
//     atomic Lua script, on Redis's clock.
//   - Callback deduplication. Dedup is the callback package's two-state
//     dedup store: Claim takes a short processing lease on the event
//     (a redelivery meanwhile, on any instance, is told "in progress" and
//     answered with a retryable failure), Done replaces it with "done" for
//     the dedup window once the handler succeeded, Release drops it when
//     the handler failed. A holder that dies leaves only its lease, which
//     runs out, so WeCom's next redelivery is handled.
//   - Async callbacks. Queue is the callback package's durable queue on
//     Redis Streams: one consumer group of workers across the fleet,
//     events a dead worker held taken over after the visibility timeout,
//     retries with delay, dead letters with replay.
//
// Plug it in with wecom.WithTokenCache and wecom.WithLimiter, and with
// callback.WithDedup, callback.WithQueue and callback.NewWorker; the
// package example shows the wiring. Import it under a name of its own, since
// go-redis is called redis too:
//
//	import wecomredis "github.com/wecomkit/wecom/contrib/redis"
//
// # Keys
//
// Every key starts with a prefix (default "wecom:", see WithPrefix) and
// carries the corp and app in a Redis Cluster hash tag:
//
//	wecom:{<corpid>:<app hash>}:token   hash {token, life}, expiring with the token
//	wecom:{<corpid>:<app hash>}:lease   the refresh lease: a random fencing value
//	wecom:{<corpid>}:rate:<api path>    the limiter's bucket: a timestamp (µs)
//	wecom:dedup:<event key>             a callback event: "lease:<owner>" or "done"
//	wecom:{queue:<name>}:stream         a Queue's events (also :delayed, :dead)
//
// The app hash is wecom.TokenCacheKey's short hash of the secret: the
// secret itself is never stored. The callback package's event keys are
// hashes of the event too. The token is stored in clear, as it must
// be to be shared; protect the Redis instance accordingly (AUTH, TLS, a
// private network).
//
// # When Redis is down or hung
//
// Every Redis operation is bounded by WithOpTimeout (DefaultOpTimeout,
// 250ms), whatever the caller's context allows: a Redis that is up but
// does not answer (paused, swapping, a network partition that drops
// packets) costs a call at most that, and then fails like a Redis that is
// down. Set go-redis's Options.ContextTimeoutEnabled as well, so that the
// abandoned command also gives its connection up at that bound.
//
// Calls keep working, and the package goes back to Redis by itself once it
// answers again:
//
//   - Token: the Store's errors reach the client, which logs a warning and
//     fetches its own token, as a single instance would. Each instance
//     then calls gettoken once per token lifetime instead of once per
//     fleet.
//   - Limiter: Wait paces calls with an in-process limiter (wecom's
//     MemoryLimiter) holding this instance's share of each budget without
//     burst (see WithFleetSize), logs one warning when it switches and one
//     line when Redis is back, and tries Redis again every
//     WithRetryInterval. It neither fails calls nor lets them through
//     unpaced.
//   - Dedup: Claim, Done and Release return the error (ErrTimeout for a
//     hung Redis) at once, and the callback handler decides what to
//     answer WeCom.
//   - Queue: every operation returns its error within its bound; Enqueue's
//     error means the event is not the queue's, so the handler must not
//     answer "success". A command that timed out may still be applied
//     when Redis wakes up: a Claim then leaves a lease that runs out, an
//     Enqueue an event delivered though its caller saw an error (at least
//     once, never lost).
package redis
