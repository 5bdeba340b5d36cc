package github

import (
	"archive/zip"
	"bytes"
	"io"
	"slices"
	"testing"
)

func testArchive(t *testing.T, files [][2]string) *zip.Reader {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, f := range files {
		w, err := zw.Create(f[0])
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, f[1])
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(b.Bytes()), int64(b.Len()))
	if err != nil {
		t.Fatal(err)
	}
	return zr
}

func TestJobLogs(t *testing.T) {
	zr := testArchive(t, [][2]string{
		{"0_build.txt", "\ufeffwhole build\n"},
		{"build/1_Set up job.txt", "\ufeffstep of build\n"},
		{"deploy/10_ten.txt", "\ufeffstep ten\n"},
		{"deploy/2_two.txt", "\ufeffstep two, no newline"},
		{"deploy/system.txt", "runner notes\n"},
		{"deploy/sub/1_deeper.txt", "not GitHub's layout\n"},
		{"5_deploy-2.txt", "whole deploy-2\n"},
		{"-2147483648_legacy job.txt", "legacy\n"},
		{"readme.txt", "not a job\n"},
		{"x_y.txt", "not numbered\n"},
		{"3_.txt", "no name\n"},
		{"empty/", ""},
		{"empty/3_empty step.txt", ""},
		{"empty/4_after empty.txt", "\ufeffafter\n"},
	})
	type job struct{ name, text string }
	var got []job
	for _, jl := range jobLogs(zr) {
		r := jl.open()
		b, err := io.ReadAll(r)
		if err != nil {
			t.Fatalf("%s: %v", jl.name, err)
		}
		if err := r.Close(); err != nil {
			t.Fatal(err)
		}
		got = append(got, job{jl.name, string(b)})
	}
	want := []job{
		{"legacy job", "legacy\n"},
		{"build", "\ufeffwhole build\n"},
		{"deploy-2", "whole deploy-2\n"},
		{"deploy", "\ufeffstep two, no newline\nstep ten\n"},
		{"empty", "\ufeffafter\n"}, // the first bytes handed out keep their byte order mark
	}
	if !slices.Equal(got, want) {
		t.Fatalf("job logs\n got %q\nwant %q", got, want)
	}
}

// TestZipChainClose: closing part-way closes the open entry and ends the chain.
func TestZipChainClose(t *testing.T) {
	zr := testArchive(t, [][2]string{{"j/1_a.txt", "a\n"}, {"j/2_b.txt", "b\n"}})
	jl := jobLogs(zr)
	if len(jl) != 1 {
		t.Fatalf("%d jobs", len(jl))
	}
	r := jl[0].open()
	buf := make([]byte, 1)
	if n, err := r.Read(buf); n != 1 || err != nil || buf[0] != 'a' {
		t.Fatalf("read %q, %v", buf[:n], err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if n, err := r.Read(buf); n != 0 || err != io.EOF {
		t.Fatalf("after Close: %d, %v", n, err)
	}
}
