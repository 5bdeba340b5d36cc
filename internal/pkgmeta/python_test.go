package pkgmeta

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestReadWheelFrom(t *testing.T) {
	meta := []byte(minimalMetadata)
	tests := []struct {
		name     string
		filename string
		members  []member
		wantName string
		wantErr  string
	}{
		{
			name: "one dist-info", filename: "demo-1.0-py3-none-any.whl",
			members:  []member{{"demo/__init__.py", nil}, {"demo-1.0.dist-info/METADATA", meta}},
			wantName: "demo",
		},
		{
			name: "two dist-info, the one named after the file wins", filename: "Demo_Pkg-1.0-py3-none-any.whl",
			members: []member{
				{"vendored-2.0.dist-info/METADATA", []byte("Metadata-Version: 2.1\nName: vendored\nVersion: 2.0\n")},
				{"demo_pkg-1.0.dist-info/METADATA", []byte("Metadata-Version: 2.1\nName: demo-pkg\nVersion: 1.0\n")},
			},
			wantName: "demo-pkg",
		},
		{
			name: "two dist-info, neither matches", filename: "demo-1.0-py3-none-any.whl",
			members: []member{{"a-1.dist-info/METADATA", meta}, {"b-1.dist-info/METADATA", meta}},
			wantErr: "none is demo-1.0.dist-info",
		},
		{
			name: "METADATA nested too deep", filename: "demo-1.0-py3-none-any.whl",
			members: []member{{"x/demo-1.0.dist-info/METADATA", meta}},
			wantErr: "no .dist-info/METADATA",
		},
		{
			name: "METADATA without a version", filename: "demo-1.0-py3-none-any.whl",
			members: []member{{"demo-1.0.dist-info/METADATA", []byte("Metadata-Version: 2.1\nName: demo\n")}},
			wantErr: "no Version header",
		},
		{
			name: "bad file name", filename: "demo.whl",
			members: []member{{"demo-1.0.dist-info/METADATA", meta}},
			wantErr: "is not {name}",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			z := zipBytes(t, tt.members...)
			p, err := ReadWheelFrom(bytes.NewReader(z), int64(len(z)), tt.filename)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to mention %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.Metadata.Name() != tt.wantName || p.PyVersion != "py3" || p.Filetype != FiletypeWheel {
				t.Errorf("got %+v name %q", p, p.Metadata.Name())
			}
		})
	}
	t.Run("not a zip", func(t *testing.T) {
		if _, err := ReadWheelFrom(bytes.NewReader([]byte("nope")), 4, "demo-1.0-py3-none-any.whl"); err == nil || !strings.Contains(err.Error(), "not a zip") {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestReadWheelMetadataTooLarge(t *testing.T) {
	big := append([]byte(minimalMetadata), bytes.Repeat([]byte("x"), MaxMetadataSize)...)
	z := zipBytes(t, member{"demo-1.0.dist-info/METADATA", big})
	_, err := ReadWheelFrom(bytes.NewReader(z), int64(len(z)), "demo-1.0-py3-none-any.whl")
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
}

func TestReadSdistFrom(t *testing.T) {
	meta := []byte(minimalMetadata)
	tests := []struct {
		name     string
		filename string
		archive  func(t *testing.T) []byte
		wantErr  string
		tooLarge bool
	}{
		{
			name: "PKG-INFO after other files", filename: "demo-1.0.tar.gz",
			archive: func(t *testing.T) []byte {
				return tarGz(t, member{"demo-1.0/setup.py", []byte("x")}, member{"demo-1.0/PKG-INFO", meta})
			},
		},
		{
			name: "leading ./ in member names", filename: "demo-1.0.tar.gz",
			archive: func(t *testing.T) []byte { return tarGz(t, member{"./demo-1.0/PKG-INFO", meta}) },
		},
		{
			name: "only a nested PKG-INFO (an egg-info's)", filename: "demo-1.0.tar.gz",
			archive: func(t *testing.T) []byte { return tarGz(t, member{"demo-1.0/src/demo.egg-info/PKG-INFO", meta}) },
			wantErr: "no {name}-{version}/PKG-INFO",
		},
		{
			name: "not gzip", filename: "demo-1.0.tar.gz",
			archive: func(t *testing.T) []byte { return tarBytes(t, member{"demo-1.0/PKG-INFO", meta}) },
			wantErr: "not a gzip file",
		},
		{
			name: "wrong extension", filename: "demo-1.0.zip",
			archive: func(t *testing.T) []byte { return tarGz(t, member{"demo-1.0/PKG-INFO", meta}) },
			wantErr: ".tar.gz",
		},
		{
			name: "huge PKG-INFO", filename: "demo-1.0.tar.gz",
			archive: func(t *testing.T) []byte {
				return tarGz(t, member{"demo-1.0/PKG-INFO", append([]byte(minimalMetadata), make([]byte, MaxMetadataSize)...)})
			},
			tooLarge: true,
		},
		{
			// 128 MiB of zeros compresses to ~150 KiB: the guard stops the
			// scan long before the PKG-INFO behind it.
			name: "decompression bomb", filename: "demo-1.0.tar.gz",
			archive: func(t *testing.T) []byte {
				return tarGz(t, member{"demo-1.0/zeros", make([]byte, 128<<20)}, member{"demo-1.0/PKG-INFO", meta})
			},
			tooLarge: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ReadSdistFrom(bytes.NewReader(tt.archive(t)), tt.filename)
			switch {
			case tt.tooLarge:
				if !errors.Is(err, ErrTooLarge) {
					t.Fatalf("err = %v, want ErrTooLarge", err)
				}
			case tt.wantErr != "":
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to mention %q", err, tt.wantErr)
				}
			case err != nil:
				t.Fatal(err)
			default:
				if p.Metadata.Name() != "demo" || p.PyVersion != "source" || p.Filetype != FiletypeSdist {
					t.Errorf("got %+v", p)
				}
			}
		})
	}
}
