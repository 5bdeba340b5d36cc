package attest

import (
	"fmt"
	"strings"

	"github.com/sigstore/sigstore-go/pkg/fulcio/certificate"
)

// legacyBuildType is what GitHub's action wrote until mid-2024 (with builder
// id https://github.com/actions/runner/<env>); bundles made then are still
// cross-checked, except for the builder (reference §1.2).
const legacyBuildType = "https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1"

// crossCheck compares what the predicate claims with what Fulcio wrote into
// the certificate from the ID token (reference §5, §7). The job writes the
// predicate and could write anything; a difference means the predicate was
// forged inside the job or built from another run's token. A field the
// predicate leaves empty claims nothing and is skipped; the fields every
// GitHub predicate has since 2023 must be there.
func crossCheck(st *statement, ext certificate.Extensions) error {
	bd, rd := st.Predicate.BuildDefinition, st.Predicate.RunDetails
	if bd.BuildType != BuildType && bd.BuildType != legacyBuildType {
		return fmt.Errorf("the provenance's buildType %q is not GitHub's workflow build type, so it cannot be checked against the certificate", bd.BuildType)
	}
	wf, gh := bd.ExternalParameters.Workflow, bd.InternalParameters.GitHub
	var dep resourceDescriptor
	if len(bd.ResolvedDependencies) > 0 {
		dep = bd.ResolvedDependencies[0]
	}
	required := []struct{ what, claimed, cert string }{
		{"the source repository (workflow.repository)", wf.Repository, ext.SourceRepositoryURI},
		{"the ref (workflow.ref)", wf.Ref, ext.SourceRepositoryRef},
		{"the commit (resolvedDependencies gitCommit)", dep.Digest["gitCommit"], ext.SourceRepositoryDigest},
		{"the run (metadata.invocationId)", rd.Metadata.InvocationID, ext.RunInvocationURI},
	}
	for _, c := range required {
		if c.claimed == "" {
			return fmt.Errorf("the provenance does not say %s, so it cannot be checked against the certificate", c.what)
		}
	}
	checks := append(required,
		struct{ what, claimed, cert string }{"the source (resolvedDependencies uri)", dep.URI, "git+" + ext.SourceRepositoryURI + "@" + ext.SourceRepositoryRef},
		struct{ what, claimed, cert string }{"the repository id", gh.RepositoryID, ext.SourceRepositoryIdentifier},
		struct{ what, claimed, cert string }{"the repository owner id", gh.RepositoryOwnerID, ext.SourceRepositoryOwnerIdentifier},
		struct{ what, claimed, cert string }{"the runner environment", gh.RunnerEnvironment, ext.RunnerEnvironment},
		struct{ what, claimed, cert string }{"the triggering event", gh.EventName, ext.BuildTrigger},
	)
	if bd.BuildType == BuildType {
		checks = append(checks, struct{ what, claimed, cert string }{"the builder (builder.id)", rd.Builder.ID, ext.BuildSignerURI})
	}
	for _, c := range checks {
		if c.claimed != "" && c.claimed != c.cert {
			return forged(c.what, c.claimed, c.cert)
		}
	}
	// BuildConfigURI is <repository>/<path>@<workflow ref>; the workflow's
	// ref is normally the run's ref, but only the path is the predicate's.
	if wf.Path != "" {
		prefix := wf.Repository + "/" + wf.Path + "@"
		if !strings.HasPrefix(ext.BuildConfigURI, prefix) {
			return forged("the workflow file (workflow.path)", prefix+"…", ext.BuildConfigURI)
		}
	}
	return nil
}

func forged(what, claimed, cert string) error {
	return fmt.Errorf("the provenance does not match its signing certificate: it says %s is %s, the certificate says %s (the predicate was written by the job and does not describe the run that signed it)", what, claimed, orNone(cert))
}
