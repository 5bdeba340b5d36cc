package scaffold

import (
	"fmt"
	"strings"
	"testing"

	"github.com/releaserhq/releaser/internal/workflowlint"
)

// The generated workflow passes releaser's own workflow lint once the
// releaser ref is pinned, and until then fails it exactly at that ref.
func TestWorkflowPassesLint(t *testing.T) {
	const sha = "0123456789abcdef0123456789abcdef01234567"
	for _, name := range samples {
		for _, approvers := range []int{0, 1, 2} {
			t.Run(fmt.Sprintf("%s/%d", name, approvers), func(t *testing.T) {
				withRemote(t, goldenRemotes[name])
				p, err := Detect(sample(name))
				if err != nil {
					t.Fatal(err)
				}
				o := DefaultOptions()
				o.Approvers = approvers
				files, err := Render(p, o)
				if err != nil {
					t.Fatal(err)
				}
				findings, err := workflowlint.Lint(files[1].Path, files[1].Content, workflowlint.Options{})
				if err != nil {
					t.Fatal(err)
				}
				if len(findings) != 2 {
					t.Errorf("with the placeholder: %d findings, want the 2 releaser steps: %v", len(findings), findings)
				}
				for _, f := range findings {
					if f.Rule != "unpinned-uses" || f.Severity != workflowlint.SeverityError || !strings.Contains(f.Message, Placeholder) {
						t.Errorf("with the placeholder: %v", f)
					}
				}

				o.ReleaserRef = sha
				if files, err = Render(p, o); err != nil {
					t.Fatal(err)
				}
				findings, err = workflowlint.Lint(files[1].Path, files[1].Content, workflowlint.Options{})
				if err != nil {
					t.Fatal(err)
				}
				for _, f := range findings {
					t.Errorf("pinned: %v (%s)", f, f.Fix)
				}
			})
		}
	}
}
