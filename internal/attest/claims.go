package attest

import (
	"fmt"
	"strings"
)

// DefaultServerURL is GITHUB_SERVER_URL on github.com.
const DefaultServerURL = "https://github.com"

// provenanceClaims are the claims actions/toolkit requires before it writes
// a predicate (reference §1.1); every one of them ends up in the statement.
var provenanceClaims = []string{
	"ref", "sha", "repository", "event_name", "job_workflow_ref", "workflow_ref",
	"repository_id", "repository_owner_id", "runner_environment", "run_id", "run_attempt",
}

// BuildFromClaims maps the claims of a verified GitHub Actions ID token and
// GITHUB_SERVER_URL ("" = https://github.com) onto Build. Every claim the
// predicate needs must be present and non-empty; the error names all that
// are not.
func BuildFromClaims(claims map[string]string, serverURL string) (Build, error) {
	var missing []string
	for _, c := range provenanceClaims {
		if claims[c] == "" {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return Build{}, fmt.Errorf("the ID token lacks claims the provenance needs: %s", strings.Join(missing, ", "))
	}
	if serverURL == "" {
		serverURL = DefaultServerURL
	}
	b := Build{
		ServerURL:         strings.TrimSuffix(serverURL, "/"),
		Repository:        claims["repository"],
		RepositoryID:      claims["repository_id"],
		RepositoryOwnerID: claims["repository_owner_id"],
		WorkflowRef:       claims["workflow_ref"],
		JobWorkflowRef:    claims["job_workflow_ref"],
		SHA:               claims["sha"],
		Ref:               claims["ref"],
		EventName:         claims["event_name"],
		RunID:             claims["run_id"],
		RunAttempt:        claims["run_attempt"],
		RunnerEnvironment: claims["runner_environment"],
	}
	if err := b.validate(); err != nil {
		return Build{}, err
	}
	if _, err := workflowPath(b.WorkflowRef, b.Repository, b.Ref); err != nil {
		return Build{}, err
	}
	return b, nil
}
