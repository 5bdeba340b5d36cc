package pkgmeta

import (
	"strings"
	"testing"
)

func TestNormalizeName(t *testing.T) {
	for in, want := range map[string]string{
		"hello-releaser":    "hello-releaser",
		"Hello_Releaser":    "hello-releaser",
		"hello.._-releaser": "hello-releaser",
		"A.B":               "a-b",
		"zope.interface":    "zope-interface",
	} {
		if got := NormalizeName(in); got != want {
			t.Errorf("NormalizeName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSdistFilename(t *testing.T) {
	for _, tt := range []struct{ name, version, want string }{
		{"hello-releaser", "1.2.3", "hello_releaser-1.2.3.tar.gz"},
		{"Zope.Interface", "6.0", "zope_interface-6.0.tar.gz"},
		{"a__b", "1.0rc1", "a_b-1.0rc1.tar.gz"},
	} {
		if got := SdistFilename(tt.name, tt.version); got != tt.want {
			t.Errorf("SdistFilename(%q, %q) = %q, want %q", tt.name, tt.version, got, tt.want)
		}
	}
}

func TestParseWheelFilename(t *testing.T) {
	tests := []struct {
		in      string
		want    WheelFilename
		wantErr string
	}{
		{in: "hello_releaser-1.2.3-py3-none-any.whl", want: WheelFilename{"hello_releaser", "1.2.3", "", "py3", "none", "any"}},
		{in: "numpy-2.0.0-1-cp312-cp312-manylinux_2_17_x86_64.whl", want: WheelFilename{"numpy", "2.0.0", "1", "cp312", "cp312", "manylinux_2_17_x86_64"}},
		{in: "a-1-py2.py3-none-any.whl", want: WheelFilename{"a", "1", "", "py2.py3", "none", "any"}},
		{in: "a-1-py3-none-any.zip", wantErr: "does not end in .whl"},
		{in: "a-1-py3-any.whl", wantErr: "is not {name}"},
		{in: "a-1-x-py3-none-any.whl", wantErr: "build tag"},
		{in: "a--py3-none-any.whl", wantErr: "empty part"},
	}
	for _, tt := range tests {
		got, err := ParseWheelFilename(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseWheelFilename(%q) err = %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseWheelFilename(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
}

func TestCheckFilename(t *testing.T) {
	meta := func(name, version string) *CoreMetadata {
		return &CoreMetadata{Fields: []Field{{"Name", name}, {"Version", version}}}
	}
	tests := []struct {
		name    string
		p       Python
		wantErr string
	}{
		{"sdist ok", Python{Filename: "hello_releaser-1.2.3.tar.gz", Filetype: FiletypeSdist, Metadata: meta("Hello-Releaser", "1.2.3")}, ""},
		{"sdist with a dash", Python{Filename: "hello-releaser-1.2.3.tar.gz", Filetype: FiletypeSdist, Metadata: meta("hello-releaser", "1.2.3")}, "hello_releaser-1.2.3.tar.gz"},
		{"sdist upper case", Python{Filename: "Hello_Releaser-1.2.3.tar.gz", Filetype: FiletypeSdist, Metadata: meta("Hello-Releaser", "1.2.3")}, "PEP 625"},
		{"sdist other version", Python{Filename: "demo-1.0.tar.gz", Filetype: FiletypeSdist, Metadata: meta("demo", "1.1")}, "demo-1.1.tar.gz"},
		{"sdist zip", Python{Filename: "demo-1.0.zip", Filetype: FiletypeSdist, Metadata: meta("demo", "1.0")}, "demo-1.0.tar.gz"},
		{"wheel ok", Python{Filename: "Hello.Releaser-1.2.3-py3-none-any.whl", Filetype: FiletypeWheel, Metadata: meta("hello-releaser", "1.2.3")}, ""},
		{"wheel local version", Python{Filename: "demo-1.0_local-py3-none-any.whl", Filetype: FiletypeWheel, Metadata: meta("demo", "1.0-local")}, ""},
		{"wheel other name", Python{Filename: "other-1.0-py3-none-any.whl", Filetype: FiletypeWheel, Metadata: meta("demo", "1.0")}, `distribution "other"`},
		{"wheel other version", Python{Filename: "demo-1.1-py3-none-any.whl", Filetype: FiletypeWheel, Metadata: meta("demo", "1.0")}, `version "1.1"`},
		{"unknown type", Python{Filename: "demo.egg", Filetype: "bdist_egg", Metadata: meta("demo", "1.0")}, "unknown file type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.p.CheckFilename()
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want it to mention %q", err, tt.wantErr)
			}
		})
	}
}
