package artifact

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// New returns a manifest of the current schema version.
func New(release Release, artifacts []Artifact) *Manifest {
	return &Manifest{Version: SchemaVersion, Release: release, Artifacts: artifacts}
}

// WriteFile validates m and writes it to path atomically: a temporary file
// in the same directory is written, synced and renamed over path, so a
// reader sees the old file or the whole new one, never a partial file. On
// any error the temporary file is removed. The JSON is indented with two
// spaces, ends in a newline, and lists artifacts sorted by name; m itself
// is not modified.
func (m *Manifest) WriteFile(path string) error {
	data, err := m.encode()
	if err != nil {
		return fmt.Errorf("write manifest %s: %w", path, err)
	}
	if err := WriteAtomic(path, data); err != nil {
		return fmt.Errorf("write manifest %s: %w", path, err)
	}
	return nil
}

func (m *Manifest) encode() ([]byte, error) {
	out := *m
	out.Artifacts = slices.Clone(m.Artifacts)
	if out.Artifacts == nil {
		out.Artifacts = []Artifact{}
	}
	slices.SortFunc(out.Artifacts, func(a, b Artifact) int { return strings.Compare(a.Name, b.Name) })
	if err := validate(&out); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false) // the file is not HTML; keep names readable
	if err := enc.Encode(&out); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// WriteAtomic replaces the file at path with data (mode 0644) so that a
// reader, or a crash, sees the old file or the new one, never a torn one:
// a synced temporary file in the same directory, renamed over path.
func WriteAtomic(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return err
	}
	// CreateTemp makes the file 0600; a manifest holds no secrets and other
	// steps (uploading it as a workflow artifact) may run as other users.
	if err = tmp.Chmod(0o644); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	syncDir(dir)
	return nil
}

// syncDir makes the rename durable. It is best effort: some file systems
// refuse fsync on a directory, and the file's content is already synced.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
