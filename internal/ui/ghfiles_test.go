package ui

import (
	"github.com/releaserhq/releaser/internal/testenv"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSetOutputRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "output")
	if err := os.WriteFile(path, []byte("earlier=step\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	u := New(Options{Mode: ModeGitHub, Stdout: &syncBuffer{}, Getenv: envMap(map[string]string{"GITHUB_OUTPUT": path})})
	values := map[string]string{
		"version":   "1.2.3",
		"notes":     "line one\nline two\r\n\nlast",
		"empty":     "",
		"tricky":    "EOF\nghadelimiter\n<<\nx=y\n",
		"_under-sc": "a=b<<c",
	}
	for name, v := range values {
		if err := u.SetOutput(name, v); err != nil {
			t.Fatalf("SetOutput(%q): %v", name, err)
		}
	}
	got := testenv.ReadGitHubOutput(t, path)
	values["earlier"] = "step" // appended, not overwritten
	for name, want := range values {
		if got[name] != want {
			t.Errorf("output %q = %q, want %q", name, got[name], want)
		}
	}
	if len(got) != len(values) {
		t.Errorf("read back %d outputs, want %d: %q", len(got), len(values), got)
	}
	raw, _ := os.ReadFile(path)
	if strings.Count(string(raw), "ghadelimiter_") != 2*(len(values)-1) {
		t.Errorf("each value needs its own delimiter pair:\n%s", raw)
	}
}

func TestSetOutputDelimitersAreRandom(t *testing.T) {
	path := filepath.Join(t.TempDir(), "output")
	u := New(Options{Mode: ModeGitHub, Stdout: &syncBuffer{}, Getenv: envMap(map[string]string{"GITHUB_OUTPUT": path})})
	for range 2 {
		if err := u.SetOutput("a", "b"); err != nil {
			t.Fatal(err)
		}
	}
	raw, _ := os.ReadFile(path)
	lines := strings.Split(string(raw), "\n")
	d1, d2 := strings.TrimPrefix(lines[0], "a<<"), strings.TrimPrefix(lines[3], "a<<")
	if len(d1) != len("ghadelimiter_")+32 || d1 == d2 {
		t.Errorf("delimiters %q and %q: want distinct ghadelimiter_<32 hex>", d1, d2)
	}
}

func TestSetOutputRejects(t *testing.T) {
	path := filepath.Join(t.TempDir(), "output")
	u, _, _ := testUI(t, ModeGitHub, map[string]string{"GITHUB_OUTPUT": path})
	for _, name := range []string{"", "1abc", "-x", "a b", "a=b", "a<<b", "ä", "a\nb", "a:b"} {
		err := u.SetOutput(name, "v")
		if err == nil || !strings.Contains(err.Error(), "step output name") {
			t.Errorf("SetOutput(%q) = %v, want a name error", name, err)
		}
	}
	// testUI's first token is 000…1, so this value holds the delimiter.
	err := u.SetOutput("ok", "x\nghadelimiter_00000000000000000000000000000001\nevil=1")
	if err == nil || !strings.Contains(err.Error(), "delimiter") {
		t.Errorf("value holding the delimiter: err = %v", err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("rejected outputs must write nothing; stat: %v", err)
	}
}

func TestGitHubFilesUnsetAreNoOps(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	u, out, _ := testUI(t, ModeGitHub, nil)
	if err := u.SetOutput("name", "value"); err != nil {
		t.Errorf("SetOutput without GITHUB_OUTPUT: %v", err)
	}
	if err := u.AppendSummary("# hi"); err != nil {
		t.Errorf("AppendSummary without GITHUB_STEP_SUMMARY: %v", err)
	}
	if err := u.SetOutput("bad name", "v"); err == nil {
		t.Error("a bad name must be reported even outside Actions")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 0 || out.String() != "" {
		t.Errorf("no-op wrote files %v / output %q", entries, out.String())
	}
}

func TestAppendSummary(t *testing.T) {
	path := filepath.Join(t.TempDir(), "summary.md")
	u, _, _ := testUI(t, ModeGitHub, map[string]string{"GITHUB_STEP_SUMMARY": path})
	if err := u.AppendSummary("## Release " + MarkdownEscape("v1<script>")); err != nil {
		t.Fatal(err)
	}
	if err := u.AppendSummary("| a | b |\n|---|---|\n"); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	want := "## Release v1\\<script\\>\n| a | b |\n|---|---|\n"
	if string(got) != want {
		t.Errorf("summary = %q, want %q", got, want)
	}

	// GitHub drops a summary over 1 MiB entirely, so refuse to get there.
	big := strings.Repeat("x", summaryLimit-len(got)-1) // + "\n" reaches the limit exactly
	if err := u.AppendSummary(big); err != nil {
		t.Fatalf("appending up to the limit: %v", err)
	}
	err := u.AppendSummary("one more")
	if err == nil || !strings.Contains(err.Error(), "limit") || !strings.Contains(err.Error(), path) {
		t.Errorf("over the limit: err = %v", err)
	}
	if fi, _ := os.Stat(path); fi.Size() != summaryLimit {
		t.Errorf("summary size %d after refused append, want %d", fi.Size(), summaryLimit)
	}
}

func TestAppendFileErrorNamesTheVariable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing-dir", "output")
	u, _, _ := testUI(t, ModeGitHub, map[string]string{"GITHUB_OUTPUT": path})
	err := u.SetOutput("a", "b")
	if err == nil || !strings.Contains(err.Error(), "GITHUB_OUTPUT") || !strings.Contains(err.Error(), path) {
		t.Errorf("err = %v, want it to name GITHUB_OUTPUT and %s", err, path)
	}
}
