package testenv

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"sort"

	"golang.org/x/crypto/blake2b"
)

// pypiMaxFields bounds the bytes of all non-file form fields together, so a runaway
// client cannot make the emulator hold a file's worth of "metadata" in memory.
const pypiMaxFields = 32 << 20

// pypiUpload is one parsed upload request: the form fields in memory, the file spooled
// to disk and hashed while it was read.
type pypiUpload struct {
	form url.Values
	// tuples lists fields other than content/gpg_signature sent as file parts.
	tuples  []string
	content *pypiContent
}

type pypiContent struct {
	filename    string // exactly as sent (not passed through filepath.Base)
	contentType string
	path        string // spooled copy; "" once moved into the store
	size        int64
	tooLarge    bool // more than the limit arrived; the spooled copy is incomplete
	md5, sha256 string
	blake2      string
}

// readPyPIUpload streams the multipart body: fields go to memory, the content part to a
// temporary file in dir while md5, sha256 and blake2b-256 are computed, so a file of
// any size is never held in memory. ok is false when the body is not multipart at all,
// which warehouse sees as a request without an :action.
func readPyPIUpload(r *http.Request, dir string, limit int64) (up *pypiUpload, ok bool, err error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, false, nil
	}
	up = &pypiUpload{form: url.Values{}}
	fieldBytes := 0
	for {
		part, err := mr.NextRawPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			up.discard()
			return nil, true, fmt.Errorf("read multipart body: %w", err)
		}
		_, params, _ := mime.ParseMediaType(part.Header.Get("Content-Disposition"))
		name := params["name"]
		filename, isFile := params["filename"]
		switch {
		case name == "content" && isFile:
			if up.content != nil {
				// A second content part: cgi.FieldStorage keeps a list and
				// request.POST["content"] is the last one.
				up.content.remove()
			}
			c, err := spoolContent(part, dir, filename, part.Header.Get("Content-Type"), limit)
			if err != nil {
				up.discard()
				return nil, true, err
			}
			up.content = c
		case isFile && name != "gpg_signature":
			up.tuples = append(up.tuples, name)
			_, _ = io.Copy(io.Discard, part)
		case isFile:
			_, _ = io.Copy(io.Discard, part)
		default:
			b, err := io.ReadAll(io.LimitReader(part, int64(pypiMaxFields-fieldBytes+1)))
			if err != nil {
				up.discard()
				return nil, true, fmt.Errorf("read form field %q: %w", name, err)
			}
			fieldBytes += len(b)
			if fieldBytes > pypiMaxFields {
				up.discard()
				return nil, true, fmt.Errorf("form fields exceed %d bytes", pypiMaxFields)
			}
			up.form.Add(name, string(b))
		}
		_ = part.Close()
	}
	sort.Strings(up.tuples)
	return up, true, nil
}

// spoolContent copies the file part to disk, hashing as it goes, and stops writing
// (but keeps reading) once more than limit bytes arrived.
func spoolContent(part *multipart.Part, dir, filename, contentType string, limit int64) (*pypiContent, error) {
	f, err := os.CreateTemp(dir, "upload-*.part")
	if err != nil {
		return nil, fmt.Errorf("spool upload: %w", err)
	}
	c := &pypiContent{filename: filename, contentType: contentType, path: f.Name()}
	hMD5, hSHA, hB2 := md5.New(), sha256.New(), mustBlake2b256()
	sink := io.MultiWriter(f, hMD5, hSHA, hB2)
	n, err := io.Copy(sink, io.LimitReader(part, limit+1))
	c.size = n
	if err == nil && n > limit {
		c.tooLarge = true
		var rest int64
		rest, err = io.Copy(io.Discard, part)
		c.size += rest
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		c.remove()
		return nil, fmt.Errorf("spool upload: %w", err)
	}
	c.md5 = hex.EncodeToString(hMD5.Sum(nil))
	c.sha256 = hex.EncodeToString(hSHA.Sum(nil))
	c.blake2 = hex.EncodeToString(hB2.Sum(nil))
	return c, nil
}

func mustBlake2b256() hash.Hash {
	h, err := blake2b.New256(nil)
	if err != nil {
		panic(err) // only fails for keys longer than 64 bytes
	}
	return h
}

func (c *pypiContent) remove() {
	if c != nil && c.path != "" {
		_ = os.Remove(c.path)
		c.path = ""
	}
}

// discard removes whatever was spooled.
func (up *pypiUpload) discard() {
	if up != nil {
		up.content.remove()
	}
}
