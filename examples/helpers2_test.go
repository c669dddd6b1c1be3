package examples_test

import (
	"bytes"
	"context"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// runFailing runs an example that must fail (exit status 1) and returns
// its stdout and stderr.
func runFailing(t *testing.T, name string, args ...string) (stdout, stderr string) {
	t.Helper()
	return runFailingCode(t, 1, name, args...)
}

// runFailingCode runs an example that must exit with status code.
func runFailingCode(t *testing.T, code int, name string, args ...string) (stdout, stderr string) {
	t.Helper()
	bin := filepath.Join(build(t), name)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = cleanEnv()
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit, "stderr:\n%s", errb.String())
	require.Equal(t, code, exit.ExitCode(), "stderr:\n%s", errb.String())
	return out.String(), errb.String()
}
