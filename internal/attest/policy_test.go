package attest

import (
	"regexp"
	"testing"
)

// TestSANPattern: the SAN regexp is anchored, escapes the names it is
// built from, and accepts only a ref or commit after the workflow file.
func TestSANPattern(t *testing.T) {
	const wf = "https://github.com/o/r/.github/workflows/release.yml"
	tests := []struct {
		name   string
		policy Policy
		san    string
		match  bool
	}{
		{"exact", Policy{Repository: "o/r", Workflow: "release.yml", Ref: "refs/tags/v1"}, wf + "@refs/tags/v1", true},
		{"other ref", Policy{Repository: "o/r", Workflow: "release.yml", Ref: "refs/tags/v1"}, wf + "@refs/tags/v10", false},
		{"ref as prefix", Policy{Repository: "o/r", Workflow: "release.yml", Ref: "refs/tags/v1"}, wf + "@refs/tags/v1.evil", false},
		{"dot is literal", Policy{Repository: "o/r", Workflow: "release.yml", Ref: "refs/tags/v1"}, "https://github.com/o/r/.github/workflows/releaseXyml@refs/tags/v1", false},
		{"any ref: tag", Policy{Repository: "o/r", Workflow: "release.yml"}, wf + "@refs/tags/v2", true},
		{"any ref: commit", Policy{Repository: "o/r", Workflow: "release.yml"}, wf + "@0123456789abcdef0123456789abcdef01234567", true},
		{"any ref: longer file", Policy{Repository: "o/r", Workflow: "release.yml"}, wf + ".evil.yml@refs/tags/v2", false},
		{"any ref: file with @", Policy{Repository: "o/r", Workflow: "release.yml"}, wf + "@x.yml@refs/heads/main", false},
		{"any ref: no ref", Policy{Repository: "o/r", Workflow: "release.yml"}, wf, false},
		{"any workflow", Policy{Repository: "o/r"}, wf + "@refs/tags/v1", true},
		{"any workflow: repository prefix", Policy{Repository: "o/r"}, "https://github.com/o/r-evil/.github/workflows/release.yml@refs/tags/v1", false},
		{"any workflow: prefix elsewhere", Policy{Repository: "o/r"}, "https://evil.example/https://github.com/o/r/x", false},
		{"reusable elsewhere: any ref", Policy{Repository: "o/r", Workflow: "o/shared/.github/workflows/build.yml", Ref: "refs/tags/v1"}, "https://github.com/o/shared/.github/workflows/build.yml@refs/heads/main", true},
		{"reusable same repository: ref bound", Policy{Repository: "o/r", Workflow: "o/r/.github/workflows/build.yml", Ref: "refs/tags/v1"}, "https://github.com/o/r/.github/workflows/build.yml@refs/heads/main", false},
		{"GHE.com server", Policy{Repository: "o/r", Workflow: "release.yml", Ref: "refs/tags/v1", ServerURL: "https://octo.ghe.com"}, "https://octo.ghe.com/o/r/.github/workflows/release.yml@refs/tags/v1", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pl, err := tt.policy.plan()
			if err != nil {
				t.Fatal(err)
			}
			if got := regexp.MustCompile(pl.sanPattern()).MatchString(tt.san); got != tt.match {
				t.Errorf("%s matches %s: %v, want %v", pl.sanPattern(), tt.san, got, tt.match)
			}
		})
	}
}

func TestPolicyPlanDefaults(t *testing.T) {
	pl, err := Policy{Repository: "o/r"}.plan()
	if err != nil {
		t.Fatal(err)
	}
	if pl.issuer != GitHubIssuer || pl.repoURL != "https://github.com/o/r" || pl.ownerURL != "https://github.com/o" {
		t.Errorf("plan %+v", pl)
	}
	for _, bad := range []Policy{{Repository: ""}, {Repository: "o/r/x"}, {Repository: "/r"}, {Repository: "o/r", Workflow: "o/r"}, {Repository: "o/r", Workflow: "a@b"}} {
		if _, err := bad.plan(); err == nil {
			t.Errorf("policy %+v accepted", bad)
		}
	}
}
