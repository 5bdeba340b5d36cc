package attest

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata golden files")

// goldenClaims is a tag push whose job runs in a reusable workflow of
// another repository, so builder.id (job_workflow_ref) and workflow.path
// (workflow_ref) come from different claims and a mix-up shows.
func goldenClaims() map[string]string {
	return map[string]string{
		"repository":          "octo-org/octo-repo",
		"repository_id":       "74",
		"repository_owner_id": "65",
		"workflow_ref":        "octo-org/octo-repo/.github/workflows/release.yml@refs/tags/v1.2.3",
		"job_workflow_ref":    "octo-org/shared/.github/workflows/build.yml@refs/heads/main",
		"sha":                 "0123456789abcdef0123456789abcdef01234567",
		"ref":                 "refs/tags/v1.2.3",
		"event_name":          "push",
		"run_id":              "10123456789",
		"run_attempt":         "2",
		"runner_environment":  "github-hosted",
		"actor":               "octocat", // not part of the provenance
	}
}

func goldenSubjects() []Subject {
	return []Subject{
		{Name: "widget-1.2.3-py3-none-any.whl", SHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"},
		{Name: "widget-1.2.3.tar.gz", SHA256: "60303AE22B998861BCE3B28F33EEC1BE758A213C86C93C076DBE9F558C11C752"},
		{Name: "widget-1.2.3-py3-none-any.whl", SHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"},
	}
}

// TestStatementGolden compares with a file written by hand from reference
// §1.2: key order, compact form, no trailing newline, lowercase digests,
// duplicates dropped.
func TestStatementGolden(t *testing.T) {
	b, err := BuildFromClaims(goldenClaims(), "https://github.com/")
	if err != nil {
		t.Fatal(err)
	}
	got, err := Statement(goldenSubjects(), b)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "statement.golden.json")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("statement differs from %s\n got: %s\nwant: %s", path, got, want)
	}
}

func TestStatementDoesNotEscapeHTML(t *testing.T) {
	b, err := BuildFromClaims(goldenClaims(), "")
	if err != nil {
		t.Fatal(err)
	}
	got, err := Statement([]Subject{{Name: "a<b>&c.whl", SHA256: strings.Repeat("a", 64)}}, b)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(got, []byte(`"name":"a<b>&c.whl"`)) {
		t.Errorf("name not written as JSON.stringify would: %s", got)
	}
}

func TestStatementRefusesBadInput(t *testing.T) {
	good, err := BuildFromClaims(goldenClaims(), "")
	if err != nil {
		t.Fatal(err)
	}
	sub := []Subject{{Name: "a.whl", SHA256: strings.Repeat("0", 64)}}
	noRunID := good
	noRunID.RunID = ""
	noRunID.SHA = ""
	otherRepo := good
	otherRepo.WorkflowRef = "octo-org/other/.github/workflows/release.yml@refs/tags/v1.2.3"
	tooMany := make([]Subject, maxSubjects+1)
	for i := range tooMany {
		tooMany[i] = Subject{Name: strings.Repeat("x", i+1), SHA256: strings.Repeat("0", 64)}
	}
	tests := []struct {
		name     string
		subjects []Subject
		build    Build
		want     string
	}{
		{"no subjects", nil, good, "at least one subject"},
		{"short digest", []Subject{{Name: "a.whl", SHA256: "abc"}}, good, `sha256 "abc" is not 64 hex digits`},
		{"non-hex digest", []Subject{{Name: "a.whl", SHA256: strings.Repeat("g", 64)}}, good, "not 64 hex digits"},
		{"no name", []Subject{{SHA256: strings.Repeat("0", 64)}}, good, "has no name"},
		{"too many", tooMany, good, "at most 1024"},
		{"missing build fields", sub, noRunID, "missing sha, run_id"},
		{"workflow of another repository", sub, otherRepo, "is not in repository octo-org/octo-repo"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Statement(tt.subjects, tt.build)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestWorkflowPath(t *testing.T) {
	tests := []struct {
		workflowRef, ref, want, wantErr string
	}{
		{"o/r/.github/workflows/release.yml@refs/tags/v1", "refs/tags/v1", ".github/workflows/release.yml", ""},
		// a tag containing "@": the action would cut at the first "@" too,
		// but here the file name holds one and only the suffix rule is right
		{"o/r/.github/workflows/a@b.yml@refs/tags/pkg@1.0.0", "refs/tags/pkg@1.0.0", ".github/workflows/a@b.yml", ""},
		// workflow_ref at another ref than the ref claim: the action's cut
		{"o/r/.github/workflows/release.yml@refs/heads/main", "refs/tags/v1", ".github/workflows/release.yml", ""},
		{"o/r/.github/workflows/release.yml", "refs/tags/v1", "", "has no @<ref> suffix"},
		{"x/r/.github/workflows/release.yml@refs/tags/v1", "refs/tags/v1", "", "is not in repository o/r"},
		{"o/r/@refs/tags/v1", "refs/tags/v1", "", "has no @<ref> suffix"},
	}
	for _, tt := range tests {
		t.Run(tt.workflowRef, func(t *testing.T) {
			got, err := workflowPath(tt.workflowRef, "o/r", tt.ref)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("workflowPath = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestBuildFromClaims(t *testing.T) {
	t.Run("names every missing claim", func(t *testing.T) {
		c := goldenClaims()
		delete(c, "run_attempt")
		c["runner_environment"] = ""
		_, err := BuildFromClaims(c, "")
		if err == nil || !strings.Contains(err.Error(), "runner_environment, run_attempt") {
			t.Fatalf("error = %v", err)
		}
	})
	t.Run("defaults the server URL", func(t *testing.T) {
		b, err := BuildFromClaims(goldenClaims(), "")
		if err != nil || b.ServerURL != DefaultServerURL {
			t.Fatalf("ServerURL = %q, %v", b.ServerURL, err)
		}
	})
	t.Run("keeps a GHE.com server URL", func(t *testing.T) {
		b, err := BuildFromClaims(goldenClaims(), "https://octo.ghe.com/")
		if err != nil || b.ServerURL != "https://octo.ghe.com" {
			t.Fatalf("ServerURL = %q, %v", b.ServerURL, err)
		}
	})
	t.Run("refuses a server URL that is not http(s)", func(t *testing.T) {
		_, err := BuildFromClaims(goldenClaims(), "github.com")
		if err == nil || !strings.Contains(err.Error(), "not an http(s) URL") {
			t.Fatalf("error = %v", err)
		}
	})
	t.Run("maps each claim to its field", func(t *testing.T) {
		b, err := BuildFromClaims(goldenClaims(), "")
		if err != nil {
			t.Fatal(err)
		}
		want := Build{
			ServerURL: DefaultServerURL, Repository: "octo-org/octo-repo", RepositoryID: "74",
			RepositoryOwnerID: "65",
			WorkflowRef:       "octo-org/octo-repo/.github/workflows/release.yml@refs/tags/v1.2.3",
			JobWorkflowRef:    "octo-org/shared/.github/workflows/build.yml@refs/heads/main",
			SHA:               "0123456789abcdef0123456789abcdef01234567", Ref: "refs/tags/v1.2.3",
			EventName: "push", RunID: "10123456789", RunAttempt: "2", RunnerEnvironment: "github-hosted",
		}
		if b != want {
			t.Fatalf("Build = %+v\nwant    %+v", b, want)
		}
	})
}
