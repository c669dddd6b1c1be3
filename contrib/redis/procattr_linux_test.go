package redis

import (
	"os"
	"os/exec"
	"syscall"
)

// reapWithTest kills the process (a redis-server, a child of a kill test)
// when the test binary dies, even without running its cleanups (a
// timeout, a signal).
func reapWithTest(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}

// canPause reports whether pause and resume work here.
const canPause = true

// pause stops p as SIGSTOP does: up, connected, not answering.
func pause(p *os.Process) error { return p.Signal(syscall.SIGSTOP) }

// resume undoes pause.
func resume(p *os.Process) error { return p.Signal(syscall.SIGCONT) }
