package pkgmeta

import (
	"bytes"
	"strings"
	"testing"
)

func TestParseGemSpec(t *testing.T) {
	const head = "--- !ruby/object:Gem::Specification\n"
	tests := []struct {
		name    string
		yaml    string
		want    Gem
		wantErr string
	}{
		{
			name: "as gem build writes it",
			yaml: head + "name: demo\nversion: !ruby/object:Gem::Version\n  version: 1.2.3\nplatform: ruby\n" +
				"required_ruby_version: !ruby/object:Gem::Requirement\n  requirements:\n  - - \">=\"\n    - !ruby/object:Gem::Version\n      version: '2.7'\n",
			want: Gem{"demo", "1.2.3", "ruby"},
		},
		{
			name: "quoted values and a native platform",
			yaml: head + "name: 'it''s'\nversion: !ruby/object:Gem::Version\n  version: \"1.0.0.pre\"\nplatform: x86_64-linux # native\n",
			want: Gem{"it's", "1.0.0.pre", "x86_64-linux"},
		},
		{
			name: "double-quoted escapes",
			yaml: "name: \"d\\x65mo\\u00e9\"\nversion: !ruby/object:Gem::Version\n  version: '1'\n",
			want: Gem{"demoé", "1", "ruby"},
		},
		{
			name: "no platform means ruby; CRLF",
			yaml: "name: demo\r\nversion: !ruby/object:Gem::Version\r\n  version: 1\r\n",
			want: Gem{"demo", "1", "ruby"},
		},
		{
			name: "only the version right under the version key counts",
			yaml: "name: demo\nversion: !ruby/object:Gem::Version\n  prerelease: false\n  version: 3.0\ndependencies:\n- !ruby/object:Gem::Dependency\n  version: 9\n",
			want: Gem{"demo", "3.0", "ruby"},
		},
		{name: "no name", yaml: "version: !ruby/object:Gem::Version\n  version: 1\n", wantErr: "no name"},
		{name: "version tag without a value", yaml: "name: demo\nversion: !ruby/object:Gem::Version\nplatform: ruby\n", wantErr: "no version"},
		{name: "unsupported form", yaml: "name: !binary |-\n  ZGVtbw==\n", wantErr: "not supported"},
		{name: "unterminated quote", yaml: "name: 'demo\n", wantErr: "unterminated"},
		{name: "text after a quote", yaml: "name: 'demo' x\n", wantErr: "text after"},
		{name: "bad escape", yaml: "name: \"\\q\"\n", wantErr: "not supported"},
		{name: "slash in a name", yaml: "name: ../demo\nversion: !ruby/object:Gem::Version\n  version: 1\n", wantErr: "slash"},
		{name: "not UTF-8", yaml: "name: \xff\n", wantErr: "UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := ParseGemSpec([]byte(tt.yaml))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to mention %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if *g != tt.want {
				t.Errorf("got %+v, want %+v", *g, tt.want)
			}
		})
	}
}

func TestGemFullName(t *testing.T) {
	for _, tt := range []struct {
		g    Gem
		want string
	}{
		{Gem{"demo", "1.0", "ruby"}, "demo-1.0"},
		{Gem{"demo", "1.0", ""}, "demo-1.0"},
		{Gem{"demo", "1.0", "java"}, "demo-1.0-java"},
	} {
		if got := tt.g.FullName(); got != tt.want {
			t.Errorf("%+v.FullName() = %q, want %q", tt.g, got, tt.want)
		}
	}
}

func TestReadGemFrom(t *testing.T) {
	spec := []byte("name: demo\nversion: !ruby/object:Gem::Version\n  version: 1\n")
	tests := []struct {
		name    string
		members []member
		wantErr string
	}{
		{name: "metadata.gz", members: []member{{"metadata.gz", gzipBytes(t, spec)}, {"data.tar.gz", nil}}},
		{name: "no metadata.gz", members: []member{{"data.tar.gz", nil}}, wantErr: "no metadata.gz"},
		{name: "metadata.gz not gzip", members: []member{{"metadata.gz", spec}}, wantErr: "metadata.gz"},
		{name: "spec too large", members: []member{{"metadata.gz", gzipBytes(t, append(spec, make([]byte, MaxMetadataSize)...))}}, wantErr: "larger than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := ReadGemFrom(bytes.NewReader(tarBytes(t, tt.members...)))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to mention %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if g.FullName() != "demo-1" {
				t.Errorf("got %+v", g)
			}
		})
	}
}
