package attest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// The fixed strings of the statement GitHub's action writes (reference §1.2).
const (
	StatementType  = "https://in-toto.io/Statement/v1"
	PredicateSLSA1 = "https://slsa.dev/provenance/v1"
	BuildType      = "https://actions.github.io/buildtypes/workflow/v1"
	PayloadType    = "application/vnd.in-toto+json"

	// maxSubjects is actions/attest's limit for one statement.
	maxSubjects = 1024
)

// Subject is one artifact the statement covers: its file name and the
// lowercase hex SHA-256 of its bytes.
type Subject struct{ Name, SHA256 string }

// Build is what the provenance says about the run; from the verified
// `sigstore`-audience ID token's claims plus GITHUB_SERVER_URL (reference
// §1.2 lays out every field).
// WorkflowRef is the workflow_ref claim (the top-level workflow),
// JobWorkflowRef the job_workflow_ref claim (the builder: a reusable
// workflow when the job runs in one).
type Build struct {
	ServerURL, Repository, RepositoryID, RepositoryOwnerID, WorkflowRef,
	JobWorkflowRef, SHA, Ref, EventName, RunID, RunAttempt, RunnerEnvironment string
}

// The JSON types below fix the key order of reference §1.2 through their
// field order; Verify decodes the signed payload into the same types.
type statement struct {
	Type          string        `json:"_type"`
	Subject       []subjectJSON `json:"subject"`
	PredicateType string        `json:"predicateType"`
	Predicate     provenance    `json:"predicate"`
}

type subjectJSON struct {
	Name   string            `json:"name"`
	Digest map[string]string `json:"digest"`
}

type provenance struct {
	BuildDefinition buildDefinition `json:"buildDefinition"`
	RunDetails      runDetails      `json:"runDetails"`
}

type buildDefinition struct {
	BuildType            string               `json:"buildType"`
	ExternalParameters   externalParameters   `json:"externalParameters"`
	InternalParameters   internalParameters   `json:"internalParameters"`
	ResolvedDependencies []resourceDescriptor `json:"resolvedDependencies"`
}

type externalParameters struct {
	Workflow workflowParameters `json:"workflow"`
}

type workflowParameters struct {
	Ref        string `json:"ref"`
	Repository string `json:"repository"`
	Path       string `json:"path"`
}

type internalParameters struct {
	GitHub githubParameters `json:"github"`
}

type githubParameters struct {
	EventName         string `json:"event_name"`
	RepositoryID      string `json:"repository_id"`
	RepositoryOwnerID string `json:"repository_owner_id"`
	RunnerEnvironment string `json:"runner_environment"`
}

type resourceDescriptor struct {
	URI    string            `json:"uri"`
	Digest map[string]string `json:"digest"`
}

type runDetails struct {
	Builder  builder  `json:"builder"`
	Metadata metadata `json:"metadata"`
}

type builder struct {
	ID string `json:"id"`
}

type metadata struct {
	InvocationID string `json:"invocationId"`
}

// Statement is the in-toto Statement v1 with the SLSA provenance v1
// predicate exactly as actions/attest-build-provenance writes it (key order
// of reference §1.2): compact JSON, no trailing newline, the bytes the DSSE
// envelope signs. Duplicate subjects (same name and digest) are dropped, as
// the action does.
func Statement(subjects []Subject, b Build) ([]byte, error) {
	subs, err := statementSubjects(subjects)
	if err != nil {
		return nil, err
	}
	if err := b.validate(); err != nil {
		return nil, err
	}
	path, err := workflowPath(b.WorkflowRef, b.Repository, b.Ref)
	if err != nil {
		return nil, err
	}
	server := strings.TrimSuffix(b.ServerURL, "/")
	repoURL := server + "/" + b.Repository
	st := statement{
		Type:          StatementType,
		Subject:       subs,
		PredicateType: PredicateSLSA1,
		Predicate: provenance{
			BuildDefinition: buildDefinition{
				BuildType: BuildType,
				ExternalParameters: externalParameters{Workflow: workflowParameters{
					Ref: b.Ref, Repository: repoURL, Path: path,
				}},
				InternalParameters: internalParameters{GitHub: githubParameters{
					EventName:         b.EventName,
					RepositoryID:      b.RepositoryID,
					RepositoryOwnerID: b.RepositoryOwnerID,
					RunnerEnvironment: b.RunnerEnvironment,
				}},
				ResolvedDependencies: []resourceDescriptor{{
					URI:    "git+" + repoURL + "@" + b.Ref,
					Digest: map[string]string{"gitCommit": b.SHA},
				}},
			},
			RunDetails: runDetails{
				Builder:  builder{ID: server + "/" + b.JobWorkflowRef},
				Metadata: metadata{InvocationID: repoURL + "/actions/runs/" + b.RunID + "/attempts/" + b.RunAttempt},
			},
		},
	}
	return compactJSON(st)
}

// compactJSON marshals like JavaScript's JSON.stringify: json.Marshal would
// turn "<", ">" and "&" into \u003c escapes, and the payload bytes must be
// the ones GitHub's action would have produced.
func compactJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encoding the statement: %w", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

func statementSubjects(subjects []Subject) ([]subjectJSON, error) {
	if len(subjects) == 0 {
		return nil, errors.New("a statement needs at least one subject")
	}
	seen := make(map[Subject]bool, len(subjects))
	out := make([]subjectJSON, 0, len(subjects))
	for _, s := range subjects {
		if s.Name == "" {
			return nil, fmt.Errorf("subject with sha256 %s has no name", s.SHA256)
		}
		digest := strings.ToLower(s.SHA256)
		if !isSHA256Hex(digest) {
			return nil, fmt.Errorf("subject %s: sha256 %q is not 64 hex digits", s.Name, s.SHA256)
		}
		key := Subject{Name: s.Name, SHA256: digest}
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, subjectJSON{Name: s.Name, Digest: map[string]string{"sha256": digest}})
	}
	if len(out) > maxSubjects {
		return nil, fmt.Errorf("%d subjects: one statement holds at most %d", len(out), maxSubjects)
	}
	return out, nil
}

func isSHA256Hex(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range s {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// validate names every empty field at once: a dry run that builds Build from
// environment variables should learn all that is missing in one go.
func (b Build) validate() error {
	fields := []struct{ name, value string }{
		{"server URL", b.ServerURL}, {"repository", b.Repository},
		{"repository_id", b.RepositoryID}, {"repository_owner_id", b.RepositoryOwnerID},
		{"workflow_ref", b.WorkflowRef}, {"job_workflow_ref", b.JobWorkflowRef},
		{"sha", b.SHA}, {"ref", b.Ref}, {"event_name", b.EventName},
		{"run_id", b.RunID}, {"run_attempt", b.RunAttempt},
		{"runner_environment", b.RunnerEnvironment},
	}
	var missing []string
	for _, f := range fields {
		if f.value == "" {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("build provenance is missing %s", strings.Join(missing, ", "))
	}
	if !strings.HasPrefix(b.ServerURL, "https://") && !strings.HasPrefix(b.ServerURL, "http://") {
		return fmt.Errorf("server URL %q is not an http(s) URL", b.ServerURL)
	}
	return nil
}

// workflowPath is workflow_ref without "<repository>/" and without "@<ref>".
// The action cuts at the first "@", which truncates a file name containing
// one; the buildtype spec says to strip the ref suffix, so that comes first
// and the first-"@" cut is only the fallback for a ref that differs from
// the ref claim.
func workflowPath(workflowRef, repository, ref string) (string, error) {
	rest, ok := strings.CutPrefix(workflowRef, repository+"/")
	if !ok {
		return "", fmt.Errorf("workflow_ref %q is not in repository %s", workflowRef, repository)
	}
	if p, ok := strings.CutSuffix(rest, "@"+ref); ok && p != "" {
		return p, nil
	}
	p, _, ok := strings.Cut(rest, "@")
	if !ok || p == "" {
		return "", fmt.Errorf("workflow_ref %q has no @<ref> suffix", workflowRef)
	}
	return p, nil
}
