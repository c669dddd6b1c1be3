package examples_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wecomkit/wecom/externalcontact"
	"github.com/wecomkit/wecom/message"
	"github.com/wecomkit/wecom/wecomtest"
)

// massDemo is what the mass-message example seeds its embedded WeCom with
// (its demoData).
var massDemo = wecomtest.Demo{Users: 8, Customers: 120}

// massWant creates the same mass message on a server with the same demo
// data and returns what WeCom made of it: the first corp tag, the member
// tasks and the customer each member sends to.
func massWant(t *testing.T) (tag string, tasks []string, recipients map[string]string) {
	t.Helper()
	srv := demoServer(t, massDemo)
	client, err := srv.Client()
	require.NoError(t, err)
	ec := externalcontact.New(client)
	ctx := context.Background()
	groups, err := ec.ListCorpTags(ctx, nil)
	require.NoError(t, err)
	tag = groups[0].Tags[0].ID
	_, err = ec.AddMsgTemplate(ctx, &externalcontact.AddMsgTemplateRequest{
		TagFilter: &externalcontact.MsgTemplateTagFilter{GroupList: []externalcontact.MsgTemplateTagGroup{{TagList: []string{tag}}}},
		Text:      &message.Text{Content: "x"},
	})
	require.NoError(t, err)
	m := srv.MsgTemplates()[0]
	recipients = map[string]string{}
	for _, r := range m.Results {
		recipients[r.ExternalUserID] = r.UserID
	}
	for _, tk := range m.Tasks {
		tasks = append(tasks, tk.UserID)
	}
	require.Greater(t, len(tasks), 1, "the demo has several members to follow")
	return tag, tasks, recipients
}

// massLines splits mass-message output by kind, checking every line's
// msgid against the message line.
func massLines(t *testing.T, stdout string) (msg map[string]any, tasks, results []map[string]any) {
	t.Helper()
	lines := jsonLines(t, stdout)
	require.NotEmpty(t, lines)
	msg = lines[0]
	require.Equal(t, "message", msg["kind"], "the message comes first")
	id := msg["msgid"].(string)
	assert.True(t, strings.HasPrefix(id, "msg"), id)
	var member string
	for _, l := range lines[1:] {
		assert.Equal(t, id, l["msgid"])
		switch l["kind"] {
		case "task":
			member = l["userid"].(string)
			tasks = append(tasks, l)
		case "result":
			assert.Equal(t, member, l["userid"], "a member's results follow their task")
			results = append(results, l)
		default:
			t.Errorf("unexpected line %v", l)
		}
	}
	return msg, tasks, results
}

func TestMassMessage(t *testing.T) {
	tag, wantTasks, recipients := massWant(t)
	stdout, stderr := run(t, "mass-message")
	msg, tasks, results := massLines(t, stdout)

	assert.Equal(t, tag, msg["tag_id"], "the default audience is the first corp tag")
	assert.Equal(t, []any{}, msg["fail_list"])
	require.Len(t, tasks, len(wantTasks), "one task line per member concerned")
	for i, l := range tasks {
		assert.Equal(t, wantTasks[i], l["userid"])
		assert.Equal(t, "sent", l["status"], "the demo members all send")
		assert.Greater(t, l["send_time"], float64(0))
	}
	require.Len(t, results, len(recipients), "one result line per tagged customer")
	seen := map[string]bool{}
	for _, l := range results {
		ext := l["external_userid"].(string)
		assert.True(t, strings.HasPrefix(ext, "wm"), ext)
		assert.Equal(t, recipients[ext], l["userid"], "%s gets it from the member WeCom chose", ext)
		assert.False(t, seen[ext], "%s twice", ext)
		seen[ext] = true
		assert.Equal(t, "sent", l["status"])
	}
	assert.Contains(t, stderr, "members_sent=0")
	assert.Contains(t, stderr, "msg=\"members notified\" msgid="+msg["msgid"].(string)+" notified="+strconv.Itoa(len(wantTasks)),
		"each member with a task is told by app message")
	assert.Contains(t, stderr, "sent="+strconv.Itoa(len(recipients))+" not_sent=0")
}

// With -wait 0 the example checks once and prints what it finds: a
// customer is sent the message only once their member has sent.
func TestMassMessageCheckOnce(t *testing.T) {
	_, wantTasks, recipients := massWant(t)
	stdout, _ := run(t, "mass-message", "-wait", "0")
	_, tasks, results := massLines(t, stdout)
	require.Len(t, tasks, len(wantTasks))
	require.Len(t, results, len(recipients))
	status := map[string]any{}
	for _, l := range tasks {
		assert.Contains(t, []any{"pending", "sent"}, l["status"])
		status[l["userid"].(string)] = l["status"]
	}
	for _, l := range results {
		if status[l["userid"].(string)] == "pending" {
			assert.Equal(t, "not sent", l["status"])
		} else {
			assert.Equal(t, "sent", l["status"])
		}
	}

	_, stderr := runFailing(t, "mass-message", "-msgid", "msgUnknown")
	assert.Contains(t, stderr, "msgUnknown")
	_, stderr = runFailing(t, "mass-message", "-tag", "etUnknown")
	assert.Contains(t, stderr, "no corp tag etUnknown")
}

// Ctrl-C while waiting: the example prints where every member stands and
// exits with status 1.
func TestMassMessageInterrupt(t *testing.T) {
	_, wantTasks, recipients := massWant(t)
	bin := filepath.Join(build(t), "mass-message")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-poll", "1h", "-wait", "2h")
	cmd.Env = cleanEnv()
	var out bytes.Buffer
	cmd.Stdout = &out
	errPipe, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())

	// Wait for the first poll, then interrupt the hour-long sleep.
	var stderr strings.Builder
	sc := bufio.NewScanner(errPipe)
	for sc.Scan() {
		stderr.WriteString(sc.Text() + "\n")
		if strings.Contains(sc.Text(), "msg=progress") {
			break
		}
	}
	interrupt(t, cmd)
	for sc.Scan() {
		stderr.WriteString(sc.Text() + "\n")
	}
	err = cmd.Wait()
	var exit *exec.ExitError
	require.True(t, errors.As(err, &exit), "err %v, stderr:\n%s", err, stderr.String())
	assert.Equal(t, 1, exit.ExitCode())
	assert.Contains(t, stderr.String(), "context canceled")

	_, tasks, results := massLines(t, out.String())
	assert.Len(t, tasks, len(wantTasks), "every member's state is printed")
	assert.Len(t, results, len(recipients))
}
