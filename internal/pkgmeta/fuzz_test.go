package pkgmeta

import (
	"bytes"
	"encoding/json"
	"io"
	"testing"
)

// The parsers read files that come out of a build, which runs untrusted
// code: whatever the bytes, they must return (never panic or hang), and
// what they accept must satisfy their own invariants.

func FuzzParseCoreMetadata(f *testing.F) {
	f.Add([]byte(minimalMetadata))
	f.Add([]byte("Name: a\n continued\n\tmore\nVersion: 1\r\n\r\nbody"))
	f.Add([]byte(" x\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseCoreMetadata(data)
		if err != nil {
			return
		}
		if len(m.Fields) == 0 {
			t.Fatal("accepted metadata without headers")
		}
		for _, fl := range m.Fields {
			if !validFieldName(fl.Name) {
				t.Fatalf("accepted field name %q", fl.Name)
			}
		}
	})
}

func FuzzParseWheelFilename(f *testing.F) {
	f.Add("hello_releaser-1.2.3-py3-none-any.whl")
	f.Add("a-1-2-py3-none-any.whl")
	f.Fuzz(func(t *testing.T, name string) {
		w, err := ParseWheelFilename(name)
		if err != nil {
			return
		}
		for _, p := range []string{w.Name, w.Version, w.PythonTag, w.ABITag, w.PlatformTag} {
			if p == "" {
				t.Fatalf("accepted %q with an empty part: %+v", name, w)
			}
		}
	})
}

func FuzzReadWheelFrom(f *testing.F) {
	f.Add(sampleBytes(f, sampleWheel))
	f.Add(zipBytes(f, member{"demo-1.0.dist-info/METADATA", []byte(minimalMetadata)}))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ReadWheelFrom(bytes.NewReader(data), int64(len(data)), "demo-1.0-py3-none-any.whl")
		if err == nil && (p.Metadata.Name() == "" || p.Metadata.Version() == "") {
			t.Fatalf("accepted a wheel without name or version: %+v", p.Metadata)
		}
	})
}

func FuzzReadSdistFrom(f *testing.F) {
	f.Add(sampleBytes(f, sampleSdist))
	f.Add(tarGz(f, member{"demo-1.0/PKG-INFO", []byte(minimalMetadata)}))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ReadSdistFrom(bytes.NewReader(data), "demo-1.0.tar.gz")
		if err == nil && (p.Metadata.Name() == "" || p.Metadata.Version() == "") {
			t.Fatalf("accepted an sdist without name or version: %+v", p.Metadata)
		}
	})
}

func FuzzReadNpmFrom(f *testing.F) {
	f.Add(sampleBytes(f, sampleNpm))
	f.Add(tarGz(f, member{"package/package.json", []byte(`{"name":"a","version":"1"}`)}))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ReadNpmFrom(bytes.NewReader(data))
		if err != nil {
			return
		}
		if p.Name == "" || p.Version == "" {
			t.Fatalf("accepted %+v", p)
		}
		if _, err := json.Marshal(p.Manifest); err != nil {
			t.Fatalf("accepted a manifest that does not re-encode: %v", err)
		}
	})
}

func FuzzParseCargoToml(f *testing.F) {
	f.Add([]byte("[package]\nname = \"demo\"\nversion = \"1.0.0\"\nreadme = true\n[dependencies]\na = \"1\"\nb = { package = \"c\", features = [\"x\"] }\n[target.'cfg(unix)'.dev-dependencies]\nd = \"2\"\n"))
	f.Add([]byte("[project]\nname = \"x\"\nversion = \"1\"\n[badges.a]\nb = \"c\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		nc, err := ParseCargoToml(data)
		if err != nil {
			return
		}
		if nc.Name == "" || nc.Vers == "" {
			t.Fatalf("accepted %+v", nc)
		}
		b, err := json.Marshal(nc)
		if err != nil {
			t.Fatalf("NewCrate does not encode: %v", err)
		}
		if bytes.Contains(b, []byte(`"deps":null`)) || bytes.Contains(b, []byte(`"features":null`)) {
			t.Fatalf("null where cargo sends a list or map: %s", b)
		}
	})
}

func FuzzReadCrateFrom(f *testing.F) {
	f.Add(sampleBytes(f, sampleCrate))
	f.Add(tarGz(f, member{"demo-1.0.0/README.md", []byte("r")}, member{"demo-1.0.0/Cargo.toml", []byte("[package]\nname = \"demo\"\nversion = \"1.0.0\"\nreadme = \"README.md\"\n")}))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ReadCrateFrom(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil })
		if err != nil {
			return
		}
		if c.Name != c.NewCrate.Name || c.Version != c.NewCrate.Vers || (c.NewCrate.ReadmeFile != nil) != (c.NewCrate.Readme != nil) {
			t.Fatalf("inconsistent crate %+v", c)
		}
	})
}

func FuzzParseGemSpec(f *testing.F) {
	f.Add([]byte("--- !ruby/object:Gem::Specification\nname: demo\nversion: !ruby/object:Gem::Version\n  version: 1.2.3\nplatform: ruby\n"))
	f.Add([]byte("name: \"a\\u00e9\"\nversion: '1'\nplatform: 'x86_64-linux'\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		g, err := ParseGemSpec(data)
		if err != nil {
			return
		}
		if g.Name == "" || g.Version == "" || g.Platform == "" {
			t.Fatalf("accepted %+v", g)
		}
	})
}

func FuzzReadGemFrom(f *testing.F) {
	f.Add(sampleBytes(f, sampleGem))
	f.Fuzz(func(t *testing.T, data []byte) {
		g, err := ReadGemFrom(bytes.NewReader(data))
		if err == nil && (g.Name == "" || g.Version == "") {
			t.Fatalf("accepted %+v", g)
		}
	})
}
