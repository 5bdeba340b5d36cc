package attest

import (
	"strings"
	"testing"

	"github.com/sigstore/sigstore-go/pkg/fulcio/certificate"
)

// matchingExtensions is what Fulcio writes for goldenClaims' token.
func matchingExtensions() certificate.Extensions {
	return certificate.Extensions{
		Issuer:                          GitHubIssuer,
		BuildSignerURI:                  "https://github.com/octo-org/shared/.github/workflows/build.yml@refs/heads/main",
		RunnerEnvironment:               "github-hosted",
		SourceRepositoryURI:             "https://github.com/octo-org/octo-repo",
		SourceRepositoryDigest:          "0123456789abcdef0123456789abcdef01234567",
		SourceRepositoryRef:             "refs/tags/v1.2.3",
		SourceRepositoryIdentifier:      "74",
		SourceRepositoryOwnerURI:        "https://github.com/octo-org",
		SourceRepositoryOwnerIdentifier: "65",
		BuildConfigURI:                  "https://github.com/octo-org/octo-repo/.github/workflows/release.yml@refs/tags/v1.2.3",
		BuildTrigger:                    "push",
		RunInvocationURI:                "https://github.com/octo-org/octo-repo/actions/runs/10123456789/attempts/2",
	}
}

func goldenStatement(t *testing.T) *statement {
	t.Helper()
	b, err := BuildFromClaims(goldenClaims(), "")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := Statement(goldenSubjects(), b)
	if err != nil {
		t.Fatal(err)
	}
	st, err := parseStatement(raw)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// TestCrossCheck changes one side of each compared pair: every predicate
// field the certificate can confirm is compared, and named when it differs.
func TestCrossCheck(t *testing.T) {
	if err := crossCheck(goldenStatement(t), matchingExtensions()); err != nil {
		t.Fatalf("matching certificate: %v", err)
	}
	tests := []struct {
		name string
		cert func(e *certificate.Extensions)
		pred func(st *statement)
		want string
	}{
		{"repository", func(e *certificate.Extensions) { e.SourceRepositoryURI = "https://github.com/octo-org/fork" }, nil,
			"it says the source repository (workflow.repository) is https://github.com/octo-org/octo-repo, the certificate says https://github.com/octo-org/fork"},
		{"ref", func(e *certificate.Extensions) { e.SourceRepositoryRef = "refs/heads/main" }, nil, "the ref (workflow.ref) is refs/tags/v1.2.3"},
		{"commit", func(e *certificate.Extensions) { e.SourceRepositoryDigest = strings.Repeat("f", 40) }, nil, "the commit (resolvedDependencies gitCommit)"},
		{"run", func(e *certificate.Extensions) { e.RunInvocationURI += "0" }, nil, "the run (metadata.invocationId)"},
		{"source uri", nil, func(st *statement) {
			st.Predicate.BuildDefinition.ResolvedDependencies[0].URI = "git+https://evil.example/x@refs/tags/v1.2.3"
		}, "the source (resolvedDependencies uri) is git+https://evil.example/x@refs/tags/v1.2.3"},
		{"repository id", func(e *certificate.Extensions) { e.SourceRepositoryIdentifier = "75" }, nil, "the repository id is 74, the certificate says 75"},
		{"owner id", func(e *certificate.Extensions) { e.SourceRepositoryOwnerIdentifier = "66" }, nil, "the repository owner id is 65"},
		{"runner", func(e *certificate.Extensions) { e.RunnerEnvironment = "self-hosted" }, nil, "the runner environment is github-hosted, the certificate says self-hosted"},
		{"event", func(e *certificate.Extensions) { e.BuildTrigger = "workflow_dispatch" }, nil, "the triggering event is push"},
		{"builder", func(e *certificate.Extensions) {
			e.BuildSignerURI = "https://github.com/octo-org/octo-repo/.github/workflows/release.yml@refs/tags/v1.2.3"
		}, nil, "the builder (builder.id) is https://github.com/octo-org/shared/"},
		{"workflow file", func(e *certificate.Extensions) {
			e.BuildConfigURI = "https://github.com/octo-org/octo-repo/.github/workflows/other.yml@refs/tags/v1.2.3"
		}, nil, "the workflow file (workflow.path)"},
		{"extension missing", func(e *certificate.Extensions) { e.SourceRepositoryIdentifier = "" }, nil, "the repository id is 74, the certificate says (none)"},
		{"predicate without a ref", nil, func(st *statement) { st.Predicate.BuildDefinition.ExternalParameters.Workflow.Ref = "" }, "the provenance does not say the ref (workflow.ref)"},
		{"predicate without dependencies", nil, func(st *statement) { st.Predicate.BuildDefinition.ResolvedDependencies = nil }, "the provenance does not say the commit"},
		{"other build type", nil, func(st *statement) { st.Predicate.BuildDefinition.BuildType = "https://example.com/build" }, `buildType "https://example.com/build" is not GitHub's workflow build type`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, ext := goldenStatement(t), matchingExtensions()
			if tt.cert != nil {
				tt.cert(&ext)
			}
			if tt.pred != nil {
				tt.pred(st)
			}
			wantErr(t, crossCheck(st, ext), tt.want)
		})
	}
}

// TestCrossCheckLegacy: a 2024 predicate (old buildType, runner builder id,
// no runner_environment) still checks, except its builder.
func TestCrossCheckLegacy(t *testing.T) {
	st := goldenStatement(t)
	st.Predicate.BuildDefinition.BuildType = legacyBuildType
	st.Predicate.RunDetails.Builder.ID = "https://github.com/actions/runner/github-hosted"
	st.Predicate.BuildDefinition.InternalParameters.GitHub.RunnerEnvironment = ""
	if err := crossCheck(st, matchingExtensions()); err != nil {
		t.Fatal(err)
	}
	ext := matchingExtensions()
	ext.SourceRepositoryDigest = strings.Repeat("f", 40)
	wantErr(t, crossCheck(st, ext), "the commit")
}
