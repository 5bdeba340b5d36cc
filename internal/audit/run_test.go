package audit

import (
	"encoding/json"
	"testing"
)

func TestRunIdentityFromEnv(t *testing.T) {
	actions := map[string]string{
		"GITHUB_ACTIONS":      "true",
		"GITHUB_REPOSITORY":   "acme/widget",
		"GITHUB_RUN_ID":       "123",
		"GITHUB_RUN_ATTEMPT":  "2",
		"GITHUB_WORKFLOW_REF": "acme/widget/.github/workflows/release.yml@refs/tags/v1",
		"GITHUB_JOB":          "publish",
		"GITHUB_ACTOR":        "octocat",
		"GITHUB_EVENT_NAME":   "push",
		"GITHUB_REF":          "refs/tags/v1",
		"GITHUB_SHA":          "0123abcd",
		"RUNNER_ENVIRONMENT":  "github-hosted",
	}
	tests := []struct {
		name   string
		getenv func(string) string
		json   string
	}{
		{"actions", func(k string) string { return actions[k] },
			`{"repository":"acme/widget","run_id":"123","run_attempt":"2","workflow_ref":"acme/widget/.github/workflows/release.yml@refs/tags/v1","job":"publish","actor":"octocat","event_name":"push","ref":"refs/tags/v1","sha":"0123abcd","runner_environment":"github-hosted"}`},
		{"laptop", func(string) string { return "" }, `{"local":true}`},
		{"nil getenv", nil, `{"local":true}`},
		{"GITHUB_ACTIONS not exactly true", func(k string) string {
			if k == "GITHUB_ACTIONS" {
				return "1"
			}
			return ""
		}, `{"local":true}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := json.Marshal(RunIdentityFromEnv(tt.getenv))
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != tt.json {
				t.Errorf("got  %s\nwant %s", b, tt.json)
			}
		})
	}
}
