//go:build unix

package stages

import (
	"os/exec"
	"syscall"
)

// killGroup makes a cancelled build command take its children with it: a
// build tool that forks a daemon must not outlive the timeout.
func killGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		if cmd.Process == nil {
			return nil
		}
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}
