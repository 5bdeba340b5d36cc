package github

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang/snappy"
)

// fuzzBundle is a Sigstore bundle as GitHub's attestations API serves it,
// with the statement and signature given.
func fuzzBundle(statement, sig string) []byte {
	b, _ := json.Marshal(map[string]any{
		"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
		"verificationMaterial": map[string]any{
			"certificate": map[string]string{"rawBytes": "MIIB"},
		},
		"dsseEnvelope": map[string]any{
			"payload":     base64.StdEncoding.EncodeToString([]byte(statement)),
			"payloadType": "application/vnd.in-toto+json",
			"signatures":  []map[string]string{{"sig": sig}},
		},
	})
	return b
}

var validDigest = regexp.MustCompile(`^(sha256:[0-9a-f]{64}|sha512:[0-9a-f]{128})$`)

// FuzzReadBundle: what readBundle accepts has at least one well-formed
// subject digest, sha256 ones first, and is the same bundle as itself.
func FuzzReadBundle(f *testing.F) {
	sha := strings.Repeat("ab", 32)
	f.Add(fuzzBundle(`{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"a.whl","digest":{"sha256":"`+sha+`"}}],"predicateType":"https://slsa.dev/provenance/v1"}`, "c2ln"))
	f.Add(fuzzBundle(`{"_type":"https://in-toto.io/Statement/v0.1","subject":[{"name":"a.tgz","digest":{"sha512":"`+strings.Repeat("CD", 64)+`","gitCommit":"abc"}}]}`, "c2ln"))
	f.Add(fuzzBundle(`{"_type":"https://in-toto.io/Statement/v1","subject":[]}`, "c2ln"))
	f.Add(fuzzBundle(`{"_type":"x"}`, ""))
	f.Add([]byte(`{"mediaType":"application/vnd.dev.sigstore.bundle+json;version=0.2","messageSignature":{}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		ab, err := readBundle(b)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error")
			}
			return
		}
		if len(ab.digests) == 0 || len(ab.sig) == 0 {
			t.Fatalf("accepted with digests %q, signature of %d bytes", ab.digests, len(ab.sig))
		}
		seenOther := false
		for _, d := range ab.digests {
			if !validDigest.MatchString(d) {
				t.Fatalf("digest %q", d)
			}
			if strings.HasPrefix(d, "sha512:") {
				seenOther = true
			} else if seenOther {
				t.Fatalf("a sha256 digest after a sha512 one: %q", ab.digests)
			}
		}
		if !ab.same(b) {
			t.Fatal("a bundle is not the same as itself")
		}
	})
}

// FuzzDecodeStoredBundle: whatever GitHub stores, decoding yields bounded
// JSON or an error, and any JSON bundle survives the snappy round trip.
func FuzzDecodeStoredBundle(f *testing.F) {
	f.Add(snappy.Encode(nil, fuzzBundle(`{"_type":"https://in-toto.io/Statement/v1"}`, "c2ln")))
	f.Add(snappy.Encode(nil, []byte("not json")))
	f.Add([]byte(`{"plain":"json, not snappy"}`))
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0x0f}) // claims a 4 GiB decoded length
	f.Fuzz(func(t *testing.T, body []byte) {
		out, err := decodeStoredBundle(body)
		if err == nil && (!json.Valid(out) || len(out) > maxBundleBytes) {
			t.Fatalf("decoded %d bytes, valid JSON %v", len(out), json.Valid(out))
		}
		if json.Valid(body) {
			back, err := decodeStoredBundle(snappy.Encode(nil, body))
			if err != nil || !bytes.Equal(back, body) {
				t.Fatalf("round trip of %q: %q, %v", body, back, err)
			}
		}
	})
}

// logZip builds a run-log archive from name/content pairs.
func logZip(files ...string) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i := 0; i+1 < len(files); i += 2 {
		w, _ := zw.Create(files[i])
		io.WriteString(w, files[i+1])
	}
	zw.Close()
	return buf.Bytes()
}

// FuzzRunLogArchive: any zip lists its jobs in GitHub's order, and a job's
// log reads as its files one after the other, each line ended before the
// next file starts and a byte order mark kept only at the very start.
func FuzzRunLogArchive(f *testing.F) {
	f.Add(logZip("0_build.txt", utf8BOM+"line 1\nline 2\n", "build/1_Set up job.txt", "line 1\n", "build/system.txt", "runner notes"))
	f.Add(logZip("publish/2_Run releaser.txt", utf8BOM+"b", "publish/1_Set up job.txt", "a", "publish/10_Post.txt", utf8BOM+"c\n"))
	f.Add(logZip("-3_old.txt", "x", "2_new.txt", "", "notes.md", "ignored", "a/b/1_deep.txt", "ignored"))
	f.Add([]byte("PK\x05\x06" + strings.Repeat("\x00", 18)))
	f.Fuzz(func(t *testing.T, archive []byte) {
		zr, err := zip.NewReader(bytes.NewReader(archive), int64(len(archive)))
		if err != nil {
			return
		}
		jobs := jobLogs(zr)
		for i, j := range jobs {
			if len(j.files) == 0 || j.name == "" {
				t.Fatalf("job %+v", j)
			}
			if i > 0 && (jobs[i-1].order > j.order || jobs[i-1].order == j.order && jobs[i-1].name > j.name) {
				t.Fatalf("jobs out of order: %q before %q", jobs[i-1].name, j.name)
			}
			want, readable := chained(j.files)
			r := j.open()
			got, err := io.ReadAll(r)
			r.Close()
			if readable && (err != nil || !bytes.Equal(got, want)) {
				t.Fatalf("job %q read %q (%v), want %q", j.name, got, err, want)
			}
		}
	})
}

// chained is what reading a job's files in turn must give; false when a file
// cannot be read on its own (then only "no panic" is asked of the chain).
func chained(files []*zip.File) ([]byte, bool) {
	var out []byte
	var last byte
	for _, f := range files {
		rc, err := f.Open()
		if err != nil {
			return nil, false
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return nil, false
		}
		if last != 0 && last != '\n' {
			out, last = append(out, '\n'), '\n'
		}
		if last != 0 {
			data = bytes.TrimPrefix(data, []byte(utf8BOM))
		}
		out = append(out, data...)
		if len(data) > 0 {
			last = data[len(data)-1]
		}
	}
	return out, true
}

// FuzzParseRetryAfter: a Retry-After header never makes a negative wait,
// and whole seconds are read as such.
func FuzzParseRetryAfter(f *testing.F) {
	for _, s := range []string{"", "0", "120", " 7 ", "-1", "Wed, 21 Oct 2015 07:28:00 GMT", time.Now().Add(time.Hour).UTC().Format(time.RFC1123), "99999999999999", "1e3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		d := parseRetryAfter(v)
		if d < 0 {
			t.Fatalf("Retry-After %q → %v", v, d)
		}
		if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n >= 0 && n < 1<<31 && d != time.Duration(n)*time.Second {
			t.Fatalf("Retry-After %q → %v, want %ds", v, d, n)
		}
	})
}
