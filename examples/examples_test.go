package examples_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wecomkit/wecom/wecomtest"
)

// The tests build every example and run it as a newcomer would: with no
// WECOM_* variables, against the embedded demo WeCom, asserting on what it
// prints.

var (
	buildOnce sync.Once
	binDir    string
	buildErr  error
)

// build compiles every example once into a temporary directory.
func build(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		binDir, buildErr = os.MkdirTemp("", "wecom-examples")
		if buildErr != nil {
			return
		}
		gobin := filepath.Join(runtime.GOROOT(), "bin", "go")
		cmd := exec.Command(gobin, "build", "-o", binDir+string(filepath.Separator), "./...")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		out, err := cmd.CombinedOutput()
		if err != nil {
			buildErr = &buildError{err, out}
		}
	})
	require.NoError(t, buildErr)
	return binDir
}

type buildError struct {
	err error
	out []byte
}

func (e *buildError) Error() string { return e.err.Error() + "\n" + string(e.out) }

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// cleanEnv is the environment without WECOM_* so examples use the
// embedded server.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "WECOM_") {
			env = append(env, kv)
		}
	}
	return env
}

// run runs an example to completion and returns stdout and stderr.
func run(t *testing.T, name string, args ...string) (stdout, stderr string) {
	t.Helper()
	bin := filepath.Join(build(t), name)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = cleanEnv()
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	require.NoError(t, err, "stderr:\n%s", errb.String())
	assert.Contains(t, errb.String(), "embedded demo WeCom", "a newcomer is told where the data comes from")
	return out.String(), errb.String()
}

// jsonLines decodes every stdout line as a JSON object.
func jsonLines(t *testing.T, stdout string) []map[string]any {
	t.Helper()
	var lines []map[string]any
	sc := bufio.NewScanner(strings.NewReader(stdout))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var m map[string]any
		require.NoError(t, json.Unmarshal(sc.Bytes(), &m), "line %q", sc.Text())
		lines = append(lines, m)
	}
	return lines
}

func TestExportCustomers(t *testing.T) {
	stdout, stderr := run(t, "export-customers")
	lines := jsonLines(t, stdout)

	// What the example must have found: every relation of every member
	// with the customer-contact feature in the same demo data.
	want := map[string]bool{}
	wantCustomers := map[string]bool{}
	staff := 0
	srv := demoServer(t, wecomtest.Demo{Users: 8, Customers: 60})
	for _, u := range srv.Users() {
		if !u.CustomerContact || u.Resigned {
			continue
		}
		staff++
		for _, f := range srv.FollowsOf(u.UserID) {
			want[f.ExternalUserID+"/"+f.UserID] = true
			wantCustomers[f.ExternalUserID] = true
		}
	}
	require.Equal(t, len(want), len(lines), "one line per relation")
	seen := map[string]bool{}
	customers := map[string]bool{}
	for _, l := range lines {
		for _, k := range []string{"external_userid", "userid", "name", "tag_ids", "add_way", "createtime"} {
			assert.Contains(t, l, k)
		}
		assert.True(t, strings.HasPrefix(l["external_userid"].(string), "wm"))
		key := l["external_userid"].(string) + "/" + l["userid"].(string)
		assert.False(t, seen[key], "relation %s written twice", key)
		assert.True(t, want[key], "relation %s is not in the demo data", key)
		seen[key] = true
		customers[l["external_userid"].(string)] = true
	}
	assert.Len(t, customers, len(wantCustomers))
	assert.Contains(t, stderr, fmt.Sprintf("relations=%d", len(want)))
	assert.Contains(t, stderr, fmt.Sprintf("customers=%d", len(wantCustomers)))
	// The numbers a user sees agree: the summary counts exactly the lines
	// printed, and those are what the example asked the demo for
	// (Demo{Users: 8, Customers: 60}, so 60*5/4 relations): the resigned
	// member's customers are on top of them, awaiting a transfer, and no
	// export returns them.
	assert.Contains(t, stderr, fmt.Sprintf("msg=done relations=%d customers=%d ", len(lines), len(customers)))
	assert.Len(t, lines, 75)
	assert.Len(t, customers, 60)
	assert.Contains(t, stderr, fmt.Sprintf("staff=%d", staff))
}

// demoServer is a server with the demo data an example uses, to know what
// the example should print.
func demoServer(t *testing.T, d wecomtest.Demo) *wecomtest.Server {
	return wecomtest.Start(t, wecomtest.WithDemo(d))
}

// interrupt stops a long-running example as a user's Ctrl-C would.
func interrupt(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
}
