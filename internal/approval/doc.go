// Package approval decides whether a release has been approved by enough
// distinct people: it judges the GitHub deployment environments and tag
// rulesets that make approvals meaningful (Policy.Environment,
// Policy.Rulesets), counts a run's approvals (Count) and waits for missing
// ones (Await).
//
// GitHub alone lets a single reviewer approve a deployment; releaser requires
// Required distinct people, none of them the one who started the run, and
// refuses a release where one person approved twice.
package approval
