package testenv

import (
	"errors"
	"net/url"
	"strings"
	"time"
)

// ghRunSearchCap is how many results a filtered run list reaches ("This API will return
// up to 1,000 results for each search when using the following parameters: ...").
const ghRunSearchCap = 1000

// ghRunFilterParams are the parameters that make a run list a capped search.
var ghRunFilterParams = []string{"actor", "branch", "check_suite_id", "created", "event", "head_sha", "status"}

// ghRunFilter is a run list's query: which runs match, and whether it is a capped search.
type ghRunFilter struct {
	match  func(*ghWorkflowRun) bool
	capped bool
}

// parseRunFilter reads the query of "List workflow runs for a workflow". status matches
// the run's status or its conclusion, as GitHub's does ("completed" or "success").
func parseRunFilter(q url.Values) (ghRunFilter, error) {
	var tests []func(*ghWorkflowRun) bool
	f := ghRunFilter{}
	for _, p := range ghRunFilterParams {
		if q.Has(p) {
			f.capped = true
		}
	}
	eq := func(param string, get func(*ghWorkflowRun) []string) {
		if v := q.Get(param); v != "" {
			tests = append(tests, func(r *ghWorkflowRun) bool {
				for _, have := range get(r) {
					if strings.EqualFold(have, v) {
						return true
					}
				}
				return false
			})
		}
	}
	eq("actor", func(r *ghWorkflowRun) []string { return []string{r.Actor} })
	eq("branch", func(r *ghWorkflowRun) []string { return []string{r.HeadBranch} })
	eq("event", func(r *ghWorkflowRun) []string { return []string{r.Event} })
	eq("head_sha", func(r *ghWorkflowRun) []string { return []string{r.HeadSHA} })
	eq("status", func(r *ghWorkflowRun) []string { return []string{r.Status, r.Conclusion} })
	if v := q.Get("created"); v != "" {
		in, err := parseCreated(v)
		if err != nil {
			return f, err
		}
		tests = append(tests, func(r *ghWorkflowRun) bool { return in(r.CreatedAt) })
	}
	f.match = func(r *ghWorkflowRun) bool {
		for _, t := range tests {
			if !t(r) {
				return false
			}
		}
		return true
	}
	return f, nil
}

// parseCreated reads GitHub's search syntax for dates ("Understanding the search
// syntax", "Query for dates"): ">=D", ">D", "<=D", "<D", "A..B" (either side may be
// "*"), or a bare D; D is a date (YYYY-MM-DD, UTC) or an ISO 8601 date-time with an
// offset ("2026-11-25T10:00:00Z", "...+00:00"). A date stands for its whole day, a
// date-time for its whole second.
func parseCreated(v string) (func(time.Time) bool, error) {
	type op struct {
		prefix string
		in     func(t, start, end time.Time) bool
	}
	for _, o := range []op{
		{">=", func(t, s, _ time.Time) bool { return !t.Before(s) }},
		{"<=", func(t, _, e time.Time) bool { return t.Before(e) }},
		{">", func(t, _, e time.Time) bool { return !t.Before(e) }},
		{"<", func(t, s, _ time.Time) bool { return t.Before(s) }},
	} {
		if rest, ok := strings.CutPrefix(v, o.prefix); ok {
			s, e, err := parseDateBound(rest)
			if err != nil {
				return nil, err
			}
			return func(t time.Time) bool { return o.in(t, s, e) }, nil
		}
	}
	if a, b, ok := strings.Cut(v, ".."); ok {
		var lo, hi time.Time
		var err error
		if a != "*" {
			if lo, _, err = parseDateBound(a); err != nil {
				return nil, err
			}
		}
		if b != "*" {
			if _, hi, err = parseDateBound(b); err != nil {
				return nil, err
			}
		}
		return func(t time.Time) bool { return (lo.IsZero() || !t.Before(lo)) && (hi.IsZero() || t.Before(hi)) }, nil
	}
	s, e, err := parseDateBound(v)
	if err != nil {
		return nil, err
	}
	return func(t time.Time) bool { return !t.Before(s) && t.Before(e) }, nil
}

// parseDateBound is the interval [start, end) one date or date-time stands for.
func parseDateBound(s string) (start, end time.Time, err error) {
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, t.AddDate(0, 0, 1), nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		t = t.UTC().Truncate(time.Second)
		return t, t.Add(time.Second), nil
	}
	return time.Time{}, time.Time{}, errors.New("not a date")
}
