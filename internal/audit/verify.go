package audit

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
)

// Verify reads a whole log from r and checks every line and link of the chain. Chain
// problems are returned as a *ChainError naming the first bad line; other errors are
// read errors. An empty input is a valid, empty log.
func Verify(r io.Reader) (Summary, error) {
	var c Chain
	err := readChain(r, &c, false, nil)
	return c.Summary(), err
}

// VerifyFile is Verify on the file at path.
func VerifyFile(path string) (Summary, error) {
	f, err := os.Open(path)
	if err != nil {
		return Summary{}, fmt.Errorf("open audit log: %w", err)
	}
	defer f.Close()
	s, err := Verify(f)
	if err != nil {
		return s, fmt.Errorf("audit log %s: %w", path, err)
	}
	return s, nil
}

// Read verifies r line by line and calls fn with each event once its line and its link
// to the previous line have been verified. It stops at the first chain error (a
// *ChainError) or the first error from fn, which it returns unwrapped.
func Read(r io.Reader, fn func(line int, e Event) error) error {
	var c Chain
	return readChain(r, &c, true, fn)
}

// readChain is Read on c; with copyData false an event's data is a view into the read
// buffer, valid only during fn.
func readChain(r io.Reader, c *Chain, copyData bool, fn func(int, Event) error) error {
	cr := newChainReader(r, c, copyData)
	for {
		e, err := cr.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if fn != nil {
			if err := fn(c.line, e); err != nil {
				return err
			}
		}
	}
}

// chainReader reads a log one verified event at a time.
type chainReader struct {
	br       *bufio.Reader
	c        *Chain
	copyData bool
	long     []byte
	off      int64 // bytes consumed: where the next line starts
}

func newChainReader(r io.Reader, c *Chain, copyData bool) *chainReader {
	// A small buffer that grows only for long lines: most logs never need MaxLineSize.
	return &chainReader{br: bufio.NewReaderSize(r, 64<<10), c: c, copyData: copyData}
}

// next returns the next event (its line is the chain's line count) or io.EOF at the
// end of a valid log; any other error ends the log.
func (cr *chainReader) next() (Event, error) {
	c := cr.c
	line, err := cr.br.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		cr.long = append(cr.long[:0], line...)
		for errors.Is(err, bufio.ErrBufferFull) && len(cr.long) <= MaxLineSize {
			line, err = cr.br.ReadSlice('\n')
			cr.long = append(cr.long, line...)
		}
		line = cr.long
		if len(line) > MaxLineSize+1 || (len(line) == MaxLineSize+1 && line[MaxLineSize] != '\n') {
			return Event{}, chainErr(c.line+1, 0, "line is longer than %d bytes: not an audit line", MaxLineSize)
		}
	}
	cr.off += int64(len(line))
	switch {
	case err == nil:
		line = line[:len(line)-1]
	case err == io.EOF:
		if len(line) == 0 {
			return Event{}, io.EOF
		}
		return Event{}, chainErr(c.line+1, 0, "last line has no trailing newline: the last write was torn (truncated)")
	default:
		return Event{}, fmt.Errorf("read audit log after line %d: %w", c.line, err)
	}
	return c.next(line, cr.copyData)
}
