package ui

// commandLocked writes one workflow command line we intend the runner to
// execute. While an untrusted block has commands stopped, the runner would
// ignore the command and echo it verbatim, so step out of the stop, issue
// it, and stop again under a fresh token (the old one is now in the log).
func (u *UI) commandLocked(line string) {
	if u.stopToken == "" {
		u.writeHumanLocked(line + "\n")
		return
	}
	next := u.newToken()
	u.writeHumanLocked("::" + u.stopToken + "::\n" + line + "\n::stop-commands::" + next + "\n")
	u.stopToken = next
}
