package audit

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"time"
)

// ChainError reports the first line at which a log stops being a valid chain.
type ChainError struct {
	Line   int   // 1-based line number
	Seq    int64 // seq the line claims, 0 if it could not be read
	Reason string
}

func (e *ChainError) Error() string {
	if e.Seq > 0 {
		return fmt.Sprintf("audit log line %d (seq %d): %s", e.Line, e.Seq, e.Reason)
	}
	return fmt.Sprintf("audit log line %d: %s", e.Line, e.Reason)
}

// maxReason bounds the reason text: parts of it (key names, times) come from the
// untrusted log and must not let a hostile line flood a terminal or CI log.
const maxReason = 240

func chainErr(line int, seq int64, format string, args ...any) *ChainError {
	r := fmt.Sprintf(format, args...)
	if len(r) > maxReason {
		r = r[:maxReason] + "…"
	}
	return &ChainError{Line: line, Seq: seq, Reason: r}
}

// Summary describes a verified log.
type Summary struct {
	Events              int
	LastSeq             int64
	LastHash            string
	FirstTime, LastTime time.Time
}

// Chain checks lines one at a time, for callers that get lines from somewhere other
// than an io.Reader (e.g. lines extracted from a CI run log with ExtractLine). The zero
// value expects a log starting at seq 1.
type Chain struct {
	line int
	sum  Summary

	h     hash.Hash // reused: hashing allocates nothing per line
	sumb  [sha256.Size]byte
	view  lineView
	cache lineCache
}

// ContinueChain returns a Chain that expects the line after the one described by
// lastSeq and lastHash, for verifying a fragment that continues a known log.
func ContinueChain(lastSeq int64, lastHash string) *Chain {
	return &Chain{sum: Summary{LastSeq: lastSeq, LastHash: lastHash}}
}

// Summary returns what has been verified so far.
func (c *Chain) Summary() Summary { return c.sum }

// Next verifies one line (without its newline) against the chain so far and returns
// its event. After an error the chain state is unchanged except for the line count.
func (c *Chain) Next(line []byte) (Event, error) {
	return c.next(line, true)
}

// next is Next; with copyData false the event's data is a view into line, for callers
// that copy what they keep before line's buffer is reused.
func (c *Chain) next(line []byte, copyData bool) (Event, error) {
	n, head, claimed, err := c.cut(line)
	if err != nil {
		return Event{}, err
	}
	hashOK := c.hashMatches(head, claimed)

	// The fast path reads the layout the writer produces; anything else, and every
	// problem, is read again by parseBody, which is the definition.
	var e Event
	fast := false
	if parseFast(head, &c.view) {
		e, fast = c.cache.eventFrom(&c.view, string(claimed), copyData)
	}
	if !fast {
		c.cache = lineCache{}
		body := make([]byte, 0, len(head)+1)
		body = append(append(body, head...), '}')
		parseErr := parseBody(body, &e)
		if !hashOK {
			return Event{}, chainErr(n, e.Seq, "hash mismatch: the line was edited")
		}
		if parseErr != nil {
			return Event{}, chainErr(n, e.Seq, "%v", parseErr)
		}
		e.Hash = string(claimed)
	} else if !hashOK {
		return Event{}, chainErr(n, e.Seq, "hash mismatch: the line was edited")
	}

	if err := c.link(n, e); err != nil {
		return Event{}, err
	}
	return e, nil
}

// cut counts line and splits it into the hashed head and the claimed hash,
// refusing what cannot be an audit line at all.
func (c *Chain) cut(line []byte) (n int, head, claimed []byte, err error) {
	c.line++
	n = c.line
	if len(line) == 0 {
		return n, nil, nil, chainErr(n, 0, "blank line: audit logs have no empty lines, one was inserted")
	}
	if len(line) > MaxLineSize {
		return n, nil, nil, chainErr(n, 0, "line is longer than %d bytes: not an audit line", MaxLineSize)
	}
	head, claimed, ok := cutHash(line)
	if !ok {
		if bytes.HasSuffix(line, []byte("\r")) {
			return n, nil, nil, chainErr(n, 0, `line ends with \r: the file was converted to CRLF line endings; convert it back to LF`)
		}
		return n, nil, nil, chainErr(n, 0, `line does not end with ,"hash":"<64 lowercase hex>"}: it is not an audit line or was truncated`)
	}
	return n, head, claimed, nil
}

// link checks that e, read from line n, follows the chain so far (seq and
// prev) and makes it the chain's last event.
func (c *Chain) link(n int, e Event) error {
	want := c.sum.LastSeq + 1
	switch {
	case e.Seq == want:
	case c.sum.LastSeq == 0:
		return chainErr(n, e.Seq, "first line has seq %d, want 1: the lines before it were removed", e.Seq)
	case e.Seq == c.sum.LastSeq:
		return chainErr(n, e.Seq, "seq repeats the previous line's: a line was duplicated")
	case e.Seq < c.sum.LastSeq:
		return chainErr(n, e.Seq, "seq goes back from %d: lines are out of order", c.sum.LastSeq)
	default:
		return chainErr(n, e.Seq, "seq gap after %d: a line was removed or lines were reordered", c.sum.LastSeq)
	}
	if e.Prev != c.sum.LastHash {
		if c.sum.LastHash == "" {
			return chainErr(n, e.Seq, "first line has a non-empty prev: the lines before it were removed")
		}
		return chainErr(n, e.Seq, "prev does not match the previous line's hash: a line before it was removed, inserted or reordered")
	}

	if c.sum.Events == 0 {
		c.sum.FirstTime = e.Time
	}
	c.sum.Events++
	c.sum.LastSeq = e.Seq
	c.sum.LastHash = e.Hash
	c.sum.LastTime = e.Time
	return nil
}

// hashMatches reports whether claimed is the hex SHA-256 of head followed by "}".
func (c *Chain) hashMatches(head, claimed []byte) bool {
	if c.h == nil {
		c.h = sha256.New()
	}
	c.h.Reset()
	c.h.Write(head)
	c.h.Write(closeBrace)
	var hx [hashHexLen]byte
	hex.Encode(hx[:], c.h.Sum(c.sumb[:0]))
	return string(hx[:]) == string(claimed)
}

var closeBrace = []byte{'}'}
