package approval

import (
	"fmt"
	"slices"
	"strings"

	"github.com/releaserhq/releaser/internal/github"
)

// Approver is one person whose approval counts.
type Approver struct {
	Login        string
	ID           int64
	Environments []string
	Comment      string
}

// Tally is what a run's approvals add up to.
type Tally struct {
	Counted  []Approver
	Rejected *github.Approval
	// Discounted says why approvals did not count (the actor's, a second one
	// by the same person).
	Discounted []string
	// Approved and Waiting are the configured environments with and without
	// a counted approval.
	Approved, Waiting []string
}

// Enough reports whether the tally meets the policy.
func (t Tally) Enough(p Policy) bool { return t.Rejected == nil && len(t.Counted) >= p.Required }

// Count adds up approvals for the policy's environments: distinct people
// (by id), none of them in excluded (the run's actor and triggering actor).
func Count(approvals []github.Approval, p Policy, excluded []string) Tally {
	var t Tally
	byID := map[string]int{} // person → index in Counted
	approved := map[string]bool{}
	for _, a := range approvals {
		envs := relevant(a.Environments, p.Environments)
		if len(envs) == 0 {
			continue
		}
		if a.State == "rejected" {
			rej := a
			t.Rejected = &rej
			continue
		}
		if a.State != "approved" {
			continue
		}
		if slices.ContainsFunc(excluded, func(x string) bool { return strings.EqualFold(x, a.User) }) {
			t.Discounted = append(t.Discounted, fmt.Sprintf("%s started the run, so their approval of %s does not count", a.User, strings.Join(envs, ", ")))
			continue
		}
		key := strings.ToLower(a.User)
		if a.UserID != 0 {
			key = fmt.Sprint(a.UserID)
		}
		for _, e := range envs {
			approved[e] = true
		}
		if i, ok := byID[key]; ok {
			prev := t.Counted[i]
			t.Discounted = append(t.Discounted, fmt.Sprintf("%s approved %s and %s: one person counts once", a.User, strings.Join(prev.Environments, ", "), strings.Join(envs, ", ")))
			t.Counted[i].Environments = append(t.Counted[i].Environments, envs...)
			continue
		}
		byID[key] = len(t.Counted)
		t.Counted = append(t.Counted, Approver{Login: a.User, ID: a.UserID, Environments: envs, Comment: a.Comment})
	}
	for _, e := range p.Environments {
		if approved[e] {
			t.Approved = append(t.Approved, e)
		} else {
			t.Waiting = append(t.Waiting, e)
		}
	}
	return t
}

func relevant(got, want []string) []string {
	var out []string
	for _, g := range got {
		if slices.ContainsFunc(want, func(w string) bool { return strings.EqualFold(w, g) }) {
			out = append(out, g)
		}
	}
	return out
}

// Status is the one-line state of a tally: "1 of 2 approvals: alice
// (release-gate-1); waiting for: release-gate-2, reviewers: @org/team".
func (t Tally) Status(p Policy) string {
	var who []string
	for _, a := range t.Counted {
		who = append(who, fmt.Sprintf("%s (%s)", a.Login, strings.Join(a.Environments, ", ")))
	}
	s := fmt.Sprintf("%d of %d approvals", len(t.Counted), p.Required)
	if len(who) > 0 {
		s += ": " + strings.Join(who, ", ")
	}
	if len(t.Waiting) > 0 {
		s += "; waiting for: " + strings.Join(t.Waiting, ", ")
		if len(p.Reviewers) > 0 {
			s += ", reviewers: " + strings.Join(p.Reviewers, ", ")
		}
	}
	return s
}
