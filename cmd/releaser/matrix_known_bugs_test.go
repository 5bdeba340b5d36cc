package main

import (
	"slices"
	"strings"
)

// knownBug is a way releaser gets a matrix scenario wrong today, to be fixed
// outside these tests' files. A scenario with a known bug expects exactly the
// bug's effect, so it fails — naming the bug, to be removed from the table —
// once the bug is fixed, and every other deviation still fails it.
type knownBug struct {
	name string
	// rules are the audit rules the bug makes fail.
	rules []string
	// state turns the undisturbed run's end state into the one the bug leaves.
	state func(want []string) []string
}

var (
	// A job run again after its attest stage had made the release bundle
	// rebuilds (same bytes) and keeps the bundle, but logs nothing for it, so
	// `releaser audit` sees the newest bundle made before the newest build and
	// fails "attested". Fix: the attest stage logs the kept bundle too
	// (attest.bundle with "kept": true) — or the rule compares the rebuilt
	// digests with the earlier build's.
	bugKeptBundleUnlogged = knownBug{name: "a kept bundle is not logged", rules: []string{"attested"}}

	// A job killed after writing the release bundle and before storing it in
	// the repository's attestations keeps the bundle when run again and skips
	// storing it, so `gh attestation verify` never finds it. Fix: when
	// keeping a bundle, store it unless GitHub already holds it (list the
	// attestations for a subject's digest and compare).
	bugKeptBundleNotStored = knownBug{name: "a kept bundle is never stored on GitHub", state: func(want []string) []string {
		return slices.DeleteFunc(slices.Clone(want), func(l string) bool { return strings.HasPrefix(l, "attestation for ") })
	}}
)

// withBugs is the end state and the failing audit rules a scenario with bugs
// ends in, from what it would end in without them.
func withBugs(bugs []knownBug, want, rules []string) (wantState, wantRules []string, names []string) {
	wantState, wantRules = want, slices.Clone(rules)
	for _, b := range bugs {
		names = append(names, b.name)
		if b.state != nil {
			wantState = b.state(wantState)
		}
		for _, r := range b.rules {
			if !slices.Contains(wantRules, r) {
				wantRules = append(wantRules, r)
			}
		}
	}
	slices.Sort(wantRules)
	return wantState, wantRules, names
}
