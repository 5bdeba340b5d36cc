package ui

import (
	"bytes"
	"errors"
	"io"
	"sync"
)

// maxPartialLine bounds how much of an unterminated line a block holds
// back; past it the text is written with a line break added.
const maxPartialLine = 64 << 10

var errBlockEnded = errors.New("ui: write to an untrusted block after it ended")

// UntrustedBlock returns a writer for output we do not control (a build
// command's stdout and stderr) and a func that ends the block; call it
// exactly once, later calls do nothing.
//
// When the Actions runner reads our output, the block starts with
// "::stop-commands::<token>" and ends with "::<token>::", with a fresh
// 32-hex random token per block, so nothing inside is interpreted. Blocks
// may overlap (parallel builds): opening another block rotates the token and
// commands stay stopped until the last block ends. Elsewhere the writer
// passes text through unchanged.
//
// The writer forwards whole lines only, so overlapping blocks and UI
// messages never split each other's lines, and a line written later always
// starts at the beginning of a line. Masked secrets are replaced by "***".
func (u *UI) UntrustedBlock() (w io.Writer, end func()) {
	u.mu.Lock()
	if u.actions {
		next := u.newToken()
		var s string
		if u.stopToken != "" {
			s = "::" + u.stopToken + "::\n"
		}
		u.writeHumanLocked(s + "::stop-commands::" + next + "\n")
		u.stopToken = next
		u.blocks++
	}
	u.mu.Unlock()
	b := &block{u: u}
	return b, b.end
}

type block struct {
	u     *UI
	buf   []byte // the unterminated tail of what was written
	ended bool
	once  sync.Once
}

func (b *block) Write(p []byte) (int, error) {
	u := b.u
	u.mu.Lock()
	defer u.mu.Unlock()
	if b.ended {
		return 0, errBlockEnded
	}
	b.buf = append(b.buf, p...)
	if i := bytes.LastIndexAny(b.buf, "\r\n"); i >= 0 {
		u.writeHumanLocked(u.redactLocked(string(b.buf[:i+1])))
		b.buf = append(b.buf[:0], b.buf[i+1:]...)
	}
	if len(b.buf) > maxPartialLine {
		u.writeHumanLocked(u.redactLocked(string(b.buf)) + "\n")
		b.buf = b.buf[:0]
	}
	return len(p), nil
}

func (b *block) end() {
	b.once.Do(func() {
		u := b.u
		u.mu.Lock()
		defer u.mu.Unlock()
		b.ended = true
		if len(b.buf) > 0 {
			u.writeHumanLocked(u.redactLocked(string(b.buf)) + "\n")
			b.buf = nil
		}
		if !u.actions {
			return
		}
		u.blocks--
		if u.blocks == 0 {
			u.writeHumanLocked("::" + u.stopToken + "::\n")
			u.stopToken = ""
		}
	})
}
