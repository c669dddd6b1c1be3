package callback

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wecomkit/wecom/crypto"
)

// benchEvents: a ~600-byte add_external_contact event and a 4 KB
// change_external_chat update.
func benchEvents(t testing.TB) []struct{ name, xml string } {
	add := readEvent(t, "add_external_contact")
	add = strings.Replace(add, "</xml>", "<Pad><![CDATA["+strings.Repeat("x", 600-len(add)-len("<Pad><![CDATA[]]></Pad>"))+"]]></Pad></xml>", 1)
	var chat strings.Builder
	upd := readEvent(t, "chat_update_add_member")
	head, tail, _ := strings.Cut(upd, "<MemChangeList>")
	_, tail, _ = strings.Cut(tail, "</MemChangeList>")
	chat.WriteString(head + "<MemChangeList>")
	for i := 0; chat.Len() < 4096-len(tail)-len("</MemChangeList>")-40; i++ {
		fmt.Fprintf(&chat, "<Item><![CDATA[wmOgQhDgAAuser%06d]]></Item>", i)
	}
	chat.WriteString("</MemChangeList>" + tail)
	return []struct{ name, xml string }{{"600B", add}, {"4KB", chat.String()}}
}

// alwaysClaim is a DedupStore that claims every key: the benchmark pays
// for the dedup key without its events being deduplicated.
type alwaysClaim struct{}

func (alwaysClaim) Claim(context.Context, string, string, time.Duration) (ClaimState, error) {
	return ClaimAcquired, nil
}
func (alwaysClaim) Done(context.Context, string, string, time.Duration) error { return nil }
func (alwaysClaim) Release(context.Context, string, string) error             { return nil }

// xmlEvent is how the widely used libraries decode every event: one flat
// struct, encoding/xml.
type xmlEvent struct {
	ToUserName, FromUserName           string
	CreateTime                         int64
	MsgType, Event, ChangeType         string
	UserID, ExternalUserID             string
	State, WelcomeCode, Source         string
	FailReason, ChatId, UpdateDetail   string
	JoinScene, QuitScene, MemChangeCnt int
	MemChangeList                      struct{ Item []string }
	LastMemVer, CurMemVer              string
	Id, TagType, StrategyId            string
}

// xmlHandler is the same flow as Handler with encoding/xml for the
// envelope and the event.
func xmlHandler(c *crypto.Crypter, token, receiver string, onAdd func(*xmlEvent), onChat func(*xmlEvent)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			http.Error(w, "method", 405)
			return
		}
		q := r.URL.Query()
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			http.Error(w, "read", 400)
			return
		}
		var env struct{ ToUserName, AgentID, Encrypt string }
		if err := xml.Unmarshal(body, &env); err != nil {
			http.Error(w, "xml", 400)
			return
		}
		sig := crypto.Signature(token, q.Get("timestamp"), q.Get("nonce"), env.Encrypt)
		if subtle.ConstantTimeCompare([]byte(sig), []byte(q.Get("msg_signature"))) != 1 {
			http.Error(w, "sig", 403)
			return
		}
		msg, rid, err := c.Decrypt([]byte(env.Encrypt))
		if err != nil || rid != receiver {
			http.Error(w, "decrypt", 400)
			return
		}
		var ev xmlEvent
		if err := xml.Unmarshal(msg, &ev); err != nil {
			http.Error(w, "event", 400)
			return
		}
		switch {
		case ev.Event == "change_external_contact" && ev.ChangeType == "add_external_contact":
			onAdd(&ev)
		case ev.Event == "change_external_chat" && ev.ChangeType == "update":
			onChat(&ev)
		}
		_, _ = w.Write([]byte("success"))
	})
}

// BenchmarkHandler: a full POST through ServeHTTP (httptest recorder),
// including the typed decode and dispatch (fast: with a dedup claim that
// always succeeds, the handler on its own goroutine under the answer
// deadline); the async path through a MemoryQueue and a Worker, timed
// until the worker drained the queue (queue-worker); beside them the same flow with
// encoding/xml for the envelope and the event, and the crypto floor
// (base64 decode + SHA1 of the signature input + AES-256-CBC decrypt,
// buffers reused).
func BenchmarkHandler(b *testing.B) {
	// The default store, its done state forgotten at once, so every
	// iteration claims and marks done.
	h, err := New(testToken, testKey, testCorpID, WithClock(fixedClock), WithDedup(NewMemoryDedup(0), time.Nanosecond))
	if err != nil {
		b.Fatal(err)
	}
	// A store of another kind: each call gets its own deadline.
	extStore, err := New(testToken, testKey, testCorpID, WithClock(fixedClock), WithDedup(alwaysClaim{}, time.Minute))
	if err != nil {
		b.Fatal(err)
	}
	noDedup, err := New(testToken, testKey, testCorpID, WithClock(fixedClock), WithDedup(nil, 0))
	if err != nil {
		b.Fatal(err)
	}
	// The durable path: the answer waits for Enqueue, and a worker
	// receives, claims, handles, marks done and acknowledges each event.
	// Timed until the worker has drained the queue, so the figure is the
	// whole cost of an event, not only the answer.
	mq := NewMemoryQueue(&MemoryQueueOptions{MaxEvents: 1 << 20})
	queued, err := New(testToken, testKey, testCorpID, WithClock(fixedClock), WithDedup(alwaysClaim{}, time.Minute), WithQueue(mq))
	if err != nil {
		b.Fatal(err)
	}
	worker, err := NewWorker(queued, mq, &WorkerOptions{Concurrency: 1, ReceiveWait: time.Millisecond})
	if err != nil {
		b.Fatal(err)
	}
	if err := worker.Start(); err != nil {
		b.Fatal(err)
	}
	defer worker.Shutdown(context.Background())
	var sink int
	var qsink atomic.Int64
	On(queued, func(ctx context.Context, ev *AddExternalContact) error { qsink.Add(int64(len(ev.UserID))); return nil })
	On(queued, func(ctx context.Context, ev *ExternalChatUpdate) error {
		qsink.Add(int64(len(ev.MemChangeList)))
		return nil
	})
	for _, hh := range []*Handler{h, extStore, noDedup} {
		On(hh, func(ctx context.Context, ev *AddExternalContact) error { sink += len(ev.UserID); return nil })
		On(hh, func(ctx context.Context, ev *ExternalChatUpdate) error { sink += len(ev.MemChangeList); return nil })
	}
	c, err := crypto.New(testToken, testKey, testCorpID)
	if err != nil {
		b.Fatal(err)
	}
	baseline := xmlHandler(c, testToken, testCorpID,
		func(ev *xmlEvent) { sink += len(ev.UserID) },
		func(ev *xmlEvent) { sink += len(ev.MemChangeList.Item) })

	for _, ev := range benchEvents(b) {
		s, err := c.Seal([]byte(ev.xml), testNow.Unix(), "1372623149")
		if err != nil {
			b.Fatal(err)
		}
		body := s.EventXML(testCorpID, "1000002")
		run := func(b *testing.B, hh http.Handler) {
			req := httptest.NewRequest(http.MethodPost, "/callback?"+s.URLValues().Encode(), nil)
			rd := bytes.NewReader(body)
			req.Body = io.NopCloser(rd)
			req.ContentLength = int64(len(body))
			b.SetBytes(int64(len(ev.xml)))
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				rd.Reset(body)
				rec := httptest.NewRecorder()
				hh.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("status %d: %s", rec.Code, rec.Body)
				}
			}
		}
		b.Run("fast/"+ev.name, func(b *testing.B) { run(b, h) })
		b.Run("fast-extstore/"+ev.name, func(b *testing.B) { run(b, extStore) })
		b.Run("fast-nodedup/"+ev.name, func(b *testing.B) { run(b, noDedup) })
		b.Run("queue-worker/"+ev.name, func(b *testing.B) {
			run(b, queued)
			if err := mq.WaitEmpty(context.Background()); err != nil {
				b.Fatal(err)
			}
		})
		b.Run("encoding-xml/"+ev.name, func(b *testing.B) { run(b, baseline) })
		b.Run("floor/"+ev.name, func(b *testing.B) {
			key, _ := crypto.ParseKey(testKey)
			block, _ := aes.NewCipher(key[:])
			dec := cipher.NewCBCDecrypter(block, key[:16])
			parts := []string{testToken, s.Timestamp, s.Nonce, s.Encrypt}
			sigIn := []byte(strings.Join(sortedCopy(parts), ""))
			ct := []byte(s.Encrypt)
			buf := make([]byte, base64.StdEncoding.DecodedLen(len(ct)))
			b.SetBytes(int64(len(ev.xml)))
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				sum := sha1.Sum(sigIn)
				sink += int(sum[0])
				n, _ := base64.StdEncoding.Decode(buf, ct)
				dec.(interface{ SetIV([]byte) }).SetIV(key[:16])
				dec.CryptBlocks(buf[:n], buf[:n])
			}
		})
	}
	_ = sink
}

func sortedCopy(s []string) []string {
	out := append([]string(nil), s...)
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// BenchmarkDecodeEvent: the typed decoder alone, beside encoding/xml.
func BenchmarkDecodeEvent(b *testing.B) {
	for _, ev := range benchEvents(b) {
		raw := []byte(ev.xml)
		b.Run("fast/"+ev.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, err := DecodeEvent(raw); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("encoding-xml/"+ev.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				var e xmlEvent
				if err := xml.Unmarshal(raw, &e); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
