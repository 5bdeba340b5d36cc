package audit

// RunIdentity says which CI run (or local invocation) wrote an event. The fields are
// copied from the GitHub Actions default environment variables.
type RunIdentity struct {
	Repository        string `json:"repository,omitempty"`
	RunID             string `json:"run_id,omitempty"`
	RunAttempt        string `json:"run_attempt,omitempty"`
	WorkflowRef       string `json:"workflow_ref,omitempty"`
	Job               string `json:"job,omitempty"`
	Actor             string `json:"actor,omitempty"`
	EventName         string `json:"event_name,omitempty"`
	Ref               string `json:"ref,omitempty"`
	SHA               string `json:"sha,omitempty"`
	RunnerEnvironment string `json:"runner_environment,omitempty"`
	// Local is set when the log was not written inside GitHub Actions, so an auditor
	// can tell a laptop dry run from a real release.
	Local bool `json:"local,omitempty"`
}

// RunIdentityFromEnv reads the run identity through getenv (os.Getenv in production,
// a map in tests). A nil getenv yields an identity with only Local set.
func RunIdentityFromEnv(getenv func(string) string) RunIdentity {
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	return RunIdentity{
		Repository:        getenv("GITHUB_REPOSITORY"),
		RunID:             getenv("GITHUB_RUN_ID"),
		RunAttempt:        getenv("GITHUB_RUN_ATTEMPT"),
		WorkflowRef:       getenv("GITHUB_WORKFLOW_REF"),
		Job:               getenv("GITHUB_JOB"),
		Actor:             getenv("GITHUB_ACTOR"),
		EventName:         getenv("GITHUB_EVENT_NAME"),
		Ref:               getenv("GITHUB_REF"),
		SHA:               getenv("GITHUB_SHA"),
		RunnerEnvironment: getenv("RUNNER_ENVIRONMENT"),
		Local:             getenv("GITHUB_ACTIONS") != "true",
	}
}
