package attest

import (
	"errors"
	"fmt"
	"strings"
)

// npm's provenance statement (reference §6.2, libnpmpublish provenance.js):
// the same SLSA v1 skeleton as GitHub's action, but with the community
// build type, a builder named after the runner environment, and no
// runner_environment among the internal parameters. The types below fix
// the key order provenance.js writes.
type npmStatement struct {
	Type          string        `json:"_type"`
	Subject       []subjectJSON `json:"subject"`
	PredicateType string        `json:"predicateType"`
	Predicate     npmProvenance `json:"predicate"`
}

type npmProvenance struct {
	BuildDefinition npmBuildDefinition `json:"buildDefinition"`
	RunDetails      runDetails         `json:"runDetails"`
}

type npmBuildDefinition struct {
	BuildType            string               `json:"buildType"`
	ExternalParameters   externalParameters   `json:"externalParameters"`
	InternalParameters   npmInternalParams    `json:"internalParameters"`
	ResolvedDependencies []resourceDescriptor `json:"resolvedDependencies"`
}

type npmInternalParams struct {
	GitHub npmGitHubParams `json:"github"`
}

type npmGitHubParams struct {
	EventName         string `json:"event_name"`
	RepositoryID      string `json:"repository_id"`
	RepositoryOwnerID string `json:"repository_owner_id"`
}

// NpmPurl is the package URL npm uses as the provenance subject:
// "pkg:npm/<name>@<version>" with a scope's leading "@" written %40, as
// npm-package-arg's toPurl does for the public registry.
func NpmPurl(name, version string) string {
	if rest, ok := strings.CutPrefix(name, "@"); ok {
		name = "%40" + rest
	}
	return "pkg:npm/" + name + "@" + version
}

// NpmStatement is npm's provenance for one tarball: an in-toto Statement v1
// whose only subject is NpmPurl(name, version) with the tarball's sha512
// (hex), and a SLSA provenance v1 predicate laid out as npm publish
// --provenance writes it on GitHub Actions. The values come from b (the
// verified token's claims) rather than npm's environment variables; they
// name the same things.
//
// workflow.ref is everything after the workflow path's "@": npm splits
// GITHUB_WORKFLOW_REF at every "@" and so truncates a ref like
// refs/tags/pkg@1.0.0, which would then disagree with the certificate.
func NpmStatement(name, version, sha512hex string, b Build) ([]byte, error) {
	if err := checkNpmName(name); err != nil {
		return nil, err
	}
	if version == "" || strings.ContainsAny(version, " /@") {
		return nil, fmt.Errorf("npm provenance for %s: version %q is not a version", name, version)
	}
	digest := strings.ToLower(sha512hex)
	if !isHexLen(digest, 128) {
		return nil, fmt.Errorf("npm provenance for %s@%s: sha512 %q is not 128 hex digits", name, version, sha512hex)
	}
	if err := b.validate(); err != nil {
		return nil, err
	}
	path, err := workflowPath(b.WorkflowRef, b.Repository, b.Ref)
	if err != nil {
		return nil, err
	}
	workflowRef := strings.TrimPrefix(b.WorkflowRef, b.Repository+"/"+path+"@")
	server := strings.TrimSuffix(b.ServerURL, "/")
	repoURL := server + "/" + b.Repository
	return compactJSON(npmStatement{
		Type:          StatementType,
		Subject:       []subjectJSON{{Name: NpmPurl(name, version), Digest: map[string]string{"sha512": digest}}},
		PredicateType: PredicateSLSA1,
		Predicate: npmProvenance{
			BuildDefinition: npmBuildDefinition{
				BuildType: npmBuildType,
				ExternalParameters: externalParameters{Workflow: workflowParameters{
					Ref: workflowRef, Repository: repoURL, Path: path,
				}},
				InternalParameters: npmInternalParams{GitHub: npmGitHubParams{
					EventName:         b.EventName,
					RepositoryID:      b.RepositoryID,
					RepositoryOwnerID: b.RepositoryOwnerID,
				}},
				ResolvedDependencies: []resourceDescriptor{{
					URI:    "git+" + repoURL + "@" + b.Ref,
					Digest: map[string]string{"gitCommit": b.SHA},
				}},
			},
			RunDetails: runDetails{
				// npm hard-codes github.com here, whatever GITHUB_SERVER_URL says.
				Builder:  builder{ID: npmBuilderPrefix + b.RunnerEnvironment},
				Metadata: metadata{InvocationID: repoURL + "/actions/runs/" + b.RunID + "/attempts/" + b.RunAttempt},
			},
		},
	})
}

// checkNpmName accepts what can be a published npm name: lower case,
// URL-safe, optionally "@scope/name". The registry applies the full rules;
// this only keeps a purl from being built out of something else.
func checkNpmName(name string) error {
	if name == "" {
		return errors.New("npm provenance needs the package name")
	}
	rest := name
	if scoped, ok := strings.CutPrefix(name, "@"); ok {
		scope, pkg, found := strings.Cut(scoped, "/")
		if !found || scope == "" || pkg == "" {
			return fmt.Errorf("npm package name %q: a scoped name is @scope/name", name)
		}
		rest = scope + pkg
	}
	for _, c := range rest {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && !strings.ContainsRune("-._~", c) {
			return fmt.Errorf("npm package name %q has the character %q, which npm does not allow", name, c)
		}
	}
	return nil
}

func isHexLen(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for _, c := range s {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
