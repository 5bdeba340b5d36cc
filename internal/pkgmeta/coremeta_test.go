package pkgmeta

import (
	"slices"
	"strings"
	"testing"
)

func TestParseCoreMetadata(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		fields  []Field
		body    string
		desc    string
		wantErr string
	}{
		{
			name:   "headers and body",
			in:     "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\nRequires-Dist: a\nRequires-Dist: b; extra == 'x'\n\n# Demo\n\ntext\n",
			fields: []Field{{"Metadata-Version", "2.1"}, {"Name", "demo"}, {"Version", "1.0"}, {"Requires-Dist", "a"}, {"Requires-Dist", "b; extra == 'x'"}},
			body:   "# Demo\n\ntext\n",
			desc:   "# Demo\n\ntext\n",
		},
		{
			name:   "CRLF line ends",
			in:     "Name: demo\r\nVersion: 1.0\r\n\r\nbody\r\n",
			fields: []Field{{"Name", "demo"}, {"Version", "1.0"}},
			body:   "body\n",
			desc:   "body\n",
		},
		{
			name:   "folded header keeps its line breaks, as Python's email parser does",
			in:     "Name: demo\nDescription: first\n        |second\n\tthird\nVersion: 1\n",
			fields: []Field{{"Name", "demo"}, {"Description", "first\n        |second\n\tthird"}, {"Version", "1"}},
			desc:   "first\n        |second\n\tthird",
		},
		{
			name:   "no blank line, no body",
			in:     "Name: demo\nVersion: 1.0",
			fields: []Field{{"Name", "demo"}, {"Version", "1.0"}},
		},
		{
			name:   "body wins over a Description header",
			in:     "Name: demo\nDescription: old\n\nnew\n",
			fields: []Field{{"Name", "demo"}, {"Description", "old"}},
			body:   "new\n",
			desc:   "new\n",
		},
		{
			name:   "value without a space after the colon, and an empty value",
			in:     "Name:demo\nSummary:\n",
			fields: []Field{{"Name", "demo"}, {"Summary", ""}},
		},
		{name: "not UTF-8", in: "Name: d\xffmo\n", wantErr: "UTF-8"},
		{name: "continuation first", in: " Name: demo\n", wantErr: "continuation"},
		{name: "line without colon", in: "Name: demo\nnot a header\n", wantErr: "line 2"},
		{name: "space in field name", in: "Home page: x\n", wantErr: "line 1"},
		{name: "empty", in: "", wantErr: "no headers"},
		{name: "only a blank line", in: "\nbody", wantErr: "no headers"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := ParseCoreMetadata([]byte(tt.in))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to mention %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(m.Fields, tt.fields) {
				t.Errorf("fields = %q, want %q", m.Fields, tt.fields)
			}
			if m.Body != tt.body {
				t.Errorf("body = %q, want %q", m.Body, tt.body)
			}
			if m.Description() != tt.desc {
				t.Errorf("description = %q, want %q", m.Description(), tt.desc)
			}
		})
	}
}

func TestCoreMetadataAccessors(t *testing.T) {
	m, err := ParseCoreMetadata([]byte("metadata-version: 2.4\nNAME:  demo \nVersion: 1.0\nClassifier: a\nclassifier: b\n"))
	if err != nil {
		t.Fatal(err)
	}
	if m.Name() != "demo" || m.Version() != "1.0" || m.MetadataVersion() != "2.4" {
		t.Errorf("case-insensitive accessors: %q %q %q", m.Name(), m.Version(), m.MetadataVersion())
	}
	if got := m.All("CLASSIFIER"); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("All = %q", got)
	}
	if m.Get("Summary") != "" || m.All("Summary") != nil {
		t.Error("absent header is not empty")
	}
}

func TestParseCoreMetadataTooLarge(t *testing.T) {
	big := make([]byte, MaxMetadataSize+1)
	if _, err := ParseCoreMetadata(big); err == nil || !strings.Contains(err.Error(), "larger") {
		t.Fatalf("err = %v", err)
	}
}
