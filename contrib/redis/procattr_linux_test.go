package redis

import (
	"os/exec"
	"syscall"
)

// reapWithTest kills the redis-server when the test binary dies, even
// without running its cleanups (a timeout, a signal).
func reapWithTest(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
