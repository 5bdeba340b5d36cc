package artifact

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestDecodeValid(t *testing.T) {
	m := validManifest()
	got, err := Decode(strings.NewReader(mustJSON(t, m) + "\n\t "))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, m) {
		t.Errorf("Decode = %+v, want %+v", got, m)
	}
	for _, arts := range []string{`[]`, `null`} {
		in := `{"version":1,"release":{"name":"n","version":"1"},"artifacts":` + arts + `}`
		got, err := Decode(strings.NewReader(in))
		if err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		if got.Artifacts == nil || len(got.Artifacts) != 0 {
			t.Errorf("%s: Artifacts = %#v, want empty non-nil", in, got.Artifacts)
		}
	}
}

func TestDecodeRejectsInvalidFields(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(m *Manifest)
		want   []string
	}{
		{"version 0", func(m *Manifest) { m.Version = 0 }, []string{"version 0 is not supported"}},
		{"version 2", func(m *Manifest) { m.Version = 2 }, []string{"version 2 is not supported"}},
		{"release name", func(m *Manifest) { m.Release.Name = "" }, []string{"release.name is empty"}},
		{"release version", func(m *Manifest) { m.Release.Version = "" }, []string{"release.version is empty"}},
		{"release tag control", func(m *Manifest) { m.Release.Tag = "v1\n::warning::x" }, []string{"release.tag", "control character"}},
		{"empty name", func(m *Manifest) { m.Artifacts[1].Name = "" }, []string{"artifacts[1]: name is empty"}},
		{"duplicate name", func(m *Manifest) { m.Artifacts[1] = m.Artifacts[0] }, []string{`artifacts[1] ("demo-1.2.3-py3-none-any.whl")`, "also used by artifacts[0]"}},
		{"name with slash", func(m *Manifest) { m.Artifacts[0].Name = "a/b.whl" }, []string{"artifacts[0]", "path separator"}},
		{"name with backslash", func(m *Manifest) { m.Artifacts[0].Name = `a\b.whl` }, []string{"path separator"}},
		{"name dot-dot", func(m *Manifest) { m.Artifacts[0].Name = ".." }, []string{`".." is not a file name`}},
		{"name control", func(m *Manifest) { m.Artifacts[0].Name = "a\x00.whl" }, []string{"control character"}},
		{"empty path", func(m *Manifest) { m.Artifacts[0].Path = "" }, []string{"artifacts[0]", "path is empty"}},
		{"absolute path", func(m *Manifest) { m.Artifacts[0].Path = "/etc/" + m.Artifacts[0].Name }, []string{"path", "is absolute"}},
		{"dot-dot path", func(m *Manifest) { m.Artifacts[0].Path = "../" + m.Artifacts[0].Name }, []string{"path", `contains ".."`}},
		{"inner dot-dot path", func(m *Manifest) { m.Artifacts[0].Path = "a/../../" + m.Artifacts[0].Name }, []string{`contains ".."`}},
		{"backslash path", func(m *Manifest) { m.Artifacts[0].Path = `dist\` + m.Artifacts[0].Name }, []string{"backslash"}},
		{"double slash path", func(m *Manifest) { m.Artifacts[0].Path = "dist//" + m.Artifacts[0].Name }, []string{"not a clean relative file path"}},
		{"dot path", func(m *Manifest) { m.Artifacts[0].Path = "./" + m.Artifacts[0].Name }, []string{"not a clean relative file path"}},
		{"path not ending in name", func(m *Manifest) { m.Artifacts[0].Path = "dist/other.whl" }, []string{`path "dist/other.whl" does not end in the artifact's name`}},
		{"negative size", func(m *Manifest) { m.Artifacts[0].Size = -1 }, []string{"size -1 is negative"}},
		{"unknown kind", func(m *Manifest) { m.Artifacts[0].Kind = "deb" }, []string{`kind "deb" is unknown`}},
		{"empty kind", func(m *Manifest) { m.Artifacts[0].Kind = "" }, []string{`kind "" is unknown`}},
		{"uppercase sha256", func(m *Manifest) { m.Artifacts[0].Digests.SHA256 = strings.ToUpper(m.Artifacts[0].Digests.SHA256) }, []string{"digests.sha256", "not lowercase hex"}},
		{"short sha256", func(m *Manifest) { m.Artifacts[0].Digests.SHA256 = m.Artifacts[0].Digests.SHA256[1:] }, []string{"digests.sha256", "has 63 characters, want 64"}},
		{"sha512 of sha256 length", func(m *Manifest) { m.Artifacts[0].Digests.SHA512 = m.Artifacts[0].Digests.SHA256 }, []string{"digests.sha512", "want 128"}},
		{"missing blake2b", func(m *Manifest) { m.Artifacts[0].Digests.BLAKE2b256 = "" }, []string{"digests.blake2b_256 is missing"}},
		{"non-hex blake2b", func(m *Manifest) { m.Artifacts[0].Digests.BLAKE2b256 = strings.Repeat("g", 64) }, []string{"digests.blake2b_256", "not lowercase hex"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := validManifest()
			tt.mutate(m)
			got, err := Decode(strings.NewReader(mustJSON(t, m)))
			if got != nil {
				t.Errorf("Decode returned a manifest along with the error")
			}
			wantErr(t, err, append([]string{"manifest: "}, tt.want...)...)
		})
	}
}

func TestDecodeRejectsInvalidJSON(t *testing.T) {
	valid := mustJSON(t, validManifest())
	const minimal = `{"version":1,"release":{"name":"n","version":"1"},"artifacts":[]}`
	tests := []struct {
		name, in string
		want     string
	}{
		{"empty", "", "unexpected end of input"},
		{"truncated", valid[:len(valid)/2], "unexpected end of input"},
		{"not an object", `[]`, "cannot unmarshal array"},
		{"null", `null`, "version 0 is not supported"},
		{"trailing object", minimal + `{}`, "unexpected data after the top-level object"},
		{"trailing garbage", minimal + ` x`, "invalid"},
		{"unknown top-level field", strings.Replace(minimal, `{"version":1`, `{"version":1,"extra":true`, 1), `unknown field "extra"`},
		{"unknown artifact field", strings.Replace(valid, `"size":`, `"mode":420,"size":`, 1), `unknown field "mode"`},
		{"differently cased key", strings.Replace(minimal, `"version":1`, `"Version":1`, 1), `unknown field "Version" in the top-level object`},
		{"unicode-folded key", strings.Replace(valid, `"sha256"`, `"ſha256"`, 1), `unknown field "ſha256" in artifacts[0].digests`},
		{"duplicate key", strings.Replace(minimal, `"version":1`, `"version":1,"version":1`, 1), `duplicate field "version"`},
		{"duplicate nested key", strings.Replace(minimal, `"name":"n"`, `"name":"n","name":"m"`, 1), `duplicate field "name" in release`},
		{"size as string", strings.Replace(valid, `"size":5`, `"size":"5"`, 1), "cannot unmarshal string"},
		{"fractional size", strings.Replace(valid, `"size":5`, `"size":5.5`, 1), "cannot unmarshal number 5.5"},
		{"deep nesting", `{"release":` + strings.Repeat(`[`, 100) + strings.Repeat(`]`, 100) + `}`, "nested more than"},
		{"syntax error", `{"version":1,}`, "invalid JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode(strings.NewReader(tt.in))
			wantErr(t, err, "manifest: ", tt.want)
		})
	}
}

func TestDecodeSizeLimit(t *testing.T) {
	huge := io.MultiReader(strings.NewReader(`{"version":1,"release":{"name":"`), repeatReader('a'))
	_, err := Decode(huge)
	wantErr(t, err, "larger than 16 MiB")
}

type repeatReader byte

func (r repeatReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r)
	}
	return len(p), nil
}

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "manifest.json", mustJSON(t, validManifest()))
	m, err := ReadFile(p)
	if err != nil || !reflect.DeepEqual(m, validManifest()) {
		t.Errorf("ReadFile = %+v, %v; want the valid manifest", m, err)
	}
	bad := writeFile(t, dir, "bad.json", `{"version":7}`)
	_, err = ReadFile(bad)
	wantErr(t, err, "manifest "+bad+": version 7")
	_, err = ReadFile(filepath.Join(dir, "none.json"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: err = %v, want ErrNotExist", err)
	}
}

func FuzzDecode(f *testing.F) {
	valid := mustJSON(f, validManifest())
	f.Add(valid)
	f.Add(`{"version":1,"release":{"name":"n","version":"1"},"artifacts":[]}`)
	f.Add(strings.Replace(valid, `"sha256"`, `"SHA256"`, 1))
	f.Add(strings.Replace(valid, `"path":"dist/`, `"path":"../`, 1))
	f.Add(valid + valid)
	f.Add(`{"version":1,"version":1}`)
	f.Add(`[{"a":[1,2,{"b":null}]}]`)
	f.Fuzz(func(t *testing.T, in string) {
		m, err := Decode(strings.NewReader(in))
		if err != nil {
			if m != nil {
				t.Fatal("Decode returned a manifest with an error")
			}
			return
		}
		// What Decode accepts must survive a round trip unchanged ...
		again, err := Decode(bytes.NewReader([]byte(mustJSON(t, m))))
		if err != nil {
			t.Fatalf("re-decoding an accepted manifest: %v", err)
		}
		if !reflect.DeepEqual(m, again) {
			t.Fatalf("round trip changed the manifest:\n%+v\n%+v", m, again)
		}
		// ... and WriteFile's encoding must be readable too.
		data, err := m.encode()
		if err != nil {
			t.Fatalf("encoding an accepted manifest: %v", err)
		}
		if _, err := Decode(bytes.NewReader(data)); err != nil {
			t.Fatalf("re-decoding the WriteFile encoding: %v", err)
		}
	})
}
