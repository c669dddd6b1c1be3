package examples_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCallbackServer runs the server, waits for the demo events the
// embedded WeCom delivers through the real callback handler, then stops it
// with SIGINT as a user would and expects a clean exit.
func TestCallbackServer(t *testing.T) {
	cmd := exec.Command(filepath.Join(build(t), "callback-server"), "-addr", "127.0.0.1:0")
	cmd.Env = cleanEnv()
	stderr := &syncBuffer{}
	cmd.Stderr = stderr
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	done := make(chan error, 1)
	t.Cleanup(func() { _ = cmd.Process.Kill() })

	lines := make(chan map[string]any)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			var m map[string]any
			if json.Unmarshal(sc.Bytes(), &m) == nil {
				lines <- m
			} else {
				lines <- map[string]any{"unparsable": sc.Text()}
			}
		}
		close(lines)
		done <- cmd.Wait()
	}()

	var got []map[string]any
	timeout := time.After(30 * time.Second)
	for len(got) < 4 {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("exited early; stderr:\n%s", stderr.String())
			}
			got = append(got, l)
		case <-timeout:
			t.Fatalf("got %d events in 30s; stderr:\n%s", len(got), stderr.String())
		}
	}
	kinds := map[string]map[string]any{}
	for _, l := range got {
		require.NotContains(t, l, "unparsable")
		kinds[l["event"].(string)+"/"+l["change_type"].(string)] = l
	}
	add := kinds["change_external_contact/add_external_contact"]
	require.NotNil(t, add, "%v", got)
	assert.True(t, strings.HasPrefix(add["external_userid"].(string), "wm"))
	assert.Equal(t, "store_001", add["detail"])
	assert.Equal(t, "sent", add["welcome"], "the new customer is greeted")
	assert.NotEmpty(t, add["media_id"], "with the uploaded image")
	edit := kinds["change_external_contact/edit_external_contact"]
	require.NotNil(t, edit)
	assert.Equal(t, add["external_userid"], edit["external_userid"])
	tag := kinds["change_external_tag/create"]
	require.NotNil(t, tag)
	assert.True(t, strings.HasPrefix(tag["tag_id"].(string), "et"))
	chat := kinds["change_external_chat/update"]
	require.NotNil(t, chat)
	assert.Equal(t, "add_member", chat["detail"])
	assert.True(t, strings.HasPrefix(chat["chat_id"].(string), "wr"))

	// A client that sends its body slowly is cut off by the server's read
	// timeout (WeCom's answer limit makes a longer request worthless),
	// instead of holding its connection.
	// stderr is copied by its own goroutine, which may lag behind stdout's
	// on a loaded machine: wait for the line rather than read it once.
	listening := regexp.MustCompile(`msg=listening url=http://([0-9.:]+)/`)
	var m []string
	require.Eventually(t, func() bool {
		m = listening.FindStringSubmatch(stderr.String())
		return m != nil
	}, 10*time.Second, 10*time.Millisecond, "no listening line; stderr:\n%s", stderr)
	conn, err := net.Dial("tcp", m[1])
	require.NoError(t, err)
	defer conn.Close()
	_, err = io.WriteString(conn, "POST /wecom/callback?msg_signature=a&timestamp=1&nonce=n HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n<xml>")
	require.NoError(t, err)
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(20*time.Second)))
	_, err = io.Copy(io.Discard, conn) // until the server closes it
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatal("the server held a slow-body connection for 20 s")
	}

	interrupt(t, cmd)
	for range lines {
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("want a clean exit after SIGINT, got %v; stderr:\n%s", err, stderr.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("no exit 15s after SIGINT")
	}
	assert.Contains(t, stderr.String(), "embedded demo WeCom")
	assert.Contains(t, stderr.String(), "msg=stopped")
	assert.NotContains(t, stderr.String(), "level=ERROR")
}

// syncBuffer is a bytes.Buffer safe to read while a process writes to it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
