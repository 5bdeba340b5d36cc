package registry

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
)

// openArtifact opens the file for one attempt and checks it still has the
// manifest's size, so the Content-Length sent is the truth.
func openArtifact(a Artifact) (*os.File, error) {
	f, err := os.Open(a.Path)
	if err != nil {
		return nil, fmt.Errorf("opening the artifact: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("opening the artifact: %w", err)
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("%s is not a regular file", a.Path)
	}
	if st.Size() != a.Size {
		f.Close()
		return nil, fmt.Errorf("%s has %d bytes, the manifest says %d: it changed after the build", a.Path, st.Size(), a.Size)
	}
	return f, nil
}

// errShrank is deliberately not io.ErrUnexpectedEOF, which readers up the
// chain (io.ReadFull) take for a normal end.
var errShrank = errors.New("the artifact shrank while it was being sent")

// fileReader yields exactly size bytes of f, reporting progress; a file
// that shrinks while it is sent is an error, not a short body.
type fileReader struct {
	f        *os.File
	left     int64
	sent     int64
	progress func(int64)
}

func newFileReader(f *os.File, size int64, progress func(int64)) *fileReader {
	return &fileReader{f: f, left: size, progress: progress}
}

func (r *fileReader) Read(p []byte) (int, error) {
	if r.left <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > r.left {
		p = p[:r.left]
	}
	n, err := r.f.Read(p)
	r.left -= int64(n)
	r.sent += int64(n)
	if n > 0 && r.progress != nil {
		r.progress(r.sent)
	}
	if errors.Is(err, io.EOF) {
		if r.left > 0 {
			return n, errShrank
		}
		err = nil
	}
	return n, err
}

// bodyReader is a request body made of parts around the file; Close
// closes the file.
type bodyReader struct {
	io.Reader
	f *os.File
}

func (b *bodyReader) Close() error { return b.f.Close() }

// base64Reader encodes src as standard base64 on the fly, in chunks that
// are a multiple of 3 bytes so padding can only come at the very end.
type base64Reader struct {
	src  io.Reader
	in   [3 * 4096]byte
	buf  [4 * 4096]byte
	out  []byte
	done bool
}

func (b *base64Reader) Read(p []byte) (int, error) {
	for len(b.out) == 0 {
		if b.done {
			return 0, io.EOF
		}
		n, err := io.ReadFull(b.src, b.in[:])
		switch {
		case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
			b.done = true
		case err != nil:
			return 0, err
		}
		base64.StdEncoding.Encode(b.buf[:], b.in[:n])
		b.out = b.buf[:base64.StdEncoding.EncodedLen(n)]
	}
	n := copy(p, b.out)
	b.out = b.out[n:]
	return n, nil
}

// hashFile streams the artifact through the given hash writers once.
func hashFile(a Artifact, w io.Writer) error {
	f, err := openArtifact(a)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := io.Copy(w, newFileReader(f, a.Size, nil)); err != nil {
		return fmt.Errorf("reading the artifact: %w", err)
	}
	return nil
}
