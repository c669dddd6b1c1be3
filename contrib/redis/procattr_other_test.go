//go:build !linux

package redis

import (
	"errors"
	"os"
	"os/exec"
)

func reapWithTest(*exec.Cmd) {}

const canPause = false

func pause(*os.Process) error  { return errors.New("pause: linux only") }
func resume(*os.Process) error { return errors.New("resume: linux only") }
