package artifact

import (
	"errors"
	"fmt"
	"path"
)

// validate checks everything Decode promises about a manifest. WriteFile
// and Merge run it too, so this package never writes a manifest it would
// refuse to read.
func validate(m *Manifest) error {
	if m.Version != SchemaVersion {
		return fmt.Errorf("version %d is not supported (this releaser reads version %d): produce the manifest with the same releaser version", m.Version, SchemaVersion)
	}
	if err := validateRelease(m.Release); err != nil {
		return err
	}
	seen := make(map[string]int, len(m.Artifacts))
	for i, a := range m.Artifacts {
		where := fmt.Sprintf("artifacts[%d]", i)
		if a.Name != "" {
			where += fmt.Sprintf(" (%q)", a.Name)
		}
		if err := checkName(a.Name); err != nil {
			return fmt.Errorf("%s: name %w", where, err)
		}
		if j, dup := seen[a.Name]; dup {
			return fmt.Errorf("%s: name is also used by artifacts[%d]; artifact names must be unique", where, j)
		}
		seen[a.Name] = i
		if err := checkRelPath(a.Path); err != nil {
			return fmt.Errorf("%s: path %w", where, err)
		}
		if path.Base(a.Path) != a.Name {
			return fmt.Errorf("%s: path %q does not end in the artifact's name; the name must be the file's base name", where, a.Path)
		}
		if a.Size < 0 {
			return fmt.Errorf("%s: size %d is negative", where, a.Size)
		}
		if !a.Kind.Known() {
			return fmt.Errorf("%s: kind %q is unknown (known: wheel, sdist, npm, crate, gem, generic)", where, a.Kind)
		}
		if err := validateDigests(a.Digests); err != nil {
			return fmt.Errorf("%s: %w", where, err)
		}
	}
	return nil
}

func validateRelease(r Release) error {
	for _, f := range []struct{ field, value string }{
		{"release.name", r.Name}, {"release.version", r.Version},
		{"release.tag", r.Tag}, {"release.commit", r.Commit},
	} {
		if f.value == "" {
			if f.field == "release.name" || f.field == "release.version" {
				return fmt.Errorf("%s is empty; it is required", f.field)
			}
			continue
		}
		if err := checkText(f.value); err != nil {
			return fmt.Errorf("%s: %w", f.field, err)
		}
	}
	return nil
}

func validateDigests(d Digests) error {
	for _, f := range []struct {
		field, value string
		hexLen       int
	}{
		{"digests.sha256", d.SHA256, 64},
		{"digests.sha512", d.SHA512, 128},
		{"digests.blake2b_256", d.BLAKE2b256, 64},
	} {
		if err := checkHex(f.value, f.hexLen); err != nil {
			return fmt.Errorf("%s %w", f.field, err)
		}
	}
	return nil
}

func checkHex(s string, n int) error {
	if s == "" {
		return errors.New("is missing")
	}
	if len(s) != n {
		return fmt.Errorf("has %d characters, want %d lowercase hex characters", len(s), n)
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return fmt.Errorf("%q is not lowercase hex", s)
		}
	}
	return nil
}
