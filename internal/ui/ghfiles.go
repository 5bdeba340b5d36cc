package ui

import (
	"fmt"
	"os"
	"regexp"
	"strings"
)

// summaryLimit is what the runner accepts in GITHUB_STEP_SUMMARY; above it
// the whole summary is dropped, not truncated.
const summaryLimit = 1 << 20

var outputName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*$`)

// SetOutput sets a step output through the GITHUB_OUTPUT file, as
//
//	name<<ghadelimiter_<random hex>
//	value
//	ghadelimiter_<random hex>
//
// so any value, multi-line included, reads back unchanged. The name is
// checked even outside Actions, so a bad name shows up in a local dry run;
// with GITHUB_OUTPUT unset nothing else happens.
func (u *UI) SetOutput(name, value string) error {
	if !outputName.MatchString(name) {
		return fmt.Errorf("step output name %q: use letters, digits, '_' and '-', starting with a letter or '_'", name)
	}
	path := u.getenv("GITHUB_OUTPUT")
	if path == "" {
		return nil
	}
	delim := "ghadelimiter_" + u.newToken()
	if strings.Contains(value, delim) {
		// Only a value built to guess the delimiter gets here.
		return fmt.Errorf("step output %q: value contains the heredoc delimiter %q; not written", name, delim)
	}
	return u.appendFile("GITHUB_OUTPUT", path, name+"<<"+delim+"\n"+value+"\n"+delim+"\n")
}

// AppendSummary appends markdown to the job summary (GITHUB_STEP_SUMMARY),
// ending it with a newline so the next append starts a new line. Escape
// untrusted text with MarkdownEscape first. With GITHUB_STEP_SUMMARY unset
// it does nothing. It refuses to grow the file past GitHub's 1 MiB limit,
// because GitHub would then drop the whole summary.
func (u *UI) AppendSummary(markdown string) error {
	path := u.getenv("GITHUB_STEP_SUMMARY")
	if path == "" {
		return nil
	}
	if !strings.HasSuffix(markdown, "\n") {
		markdown += "\n"
	}
	u.fileMu.Lock()
	defer u.fileMu.Unlock()
	var size int64
	if fi, err := os.Stat(path); err == nil {
		size = fi.Size()
	} // any other problem with the file is reported by the append below
	if size+int64(len(markdown)) > summaryLimit {
		return fmt.Errorf("step summary %s: appending %s to its %s would pass GitHub's %s limit, and GitHub would drop the whole summary; shorten what is appended",
			path, HumanBytes(int64(len(markdown))), HumanBytes(size), HumanBytes(summaryLimit))
	}
	return u.appendFileLocked("GITHUB_STEP_SUMMARY", path, markdown)
}

func (u *UI) appendFile(envName, path, s string) error {
	u.fileMu.Lock()
	defer u.fileMu.Unlock()
	return u.appendFileLocked(envName, path, s)
}

// appendFileLocked appends s with one write(2) on an O_APPEND file, so
// other writers of the same file (other steps' tools) cannot split it.
func (u *UI) appendFileLocked(envName, path, s string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("open %s file %s: %w", envName, path, err)
	}
	if _, err := f.WriteString(s); err != nil {
		_ = f.Close()
		return fmt.Errorf("append to %s file %s: %w", envName, path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close %s file %s: %w", envName, path, err)
	}
	return nil
}
