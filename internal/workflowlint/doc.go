// Package workflowlint checks a GitHub Actions workflow for the mistakes that matter to a
// release: the subset of zizmor's audits (rule ids are zizmor's where it has one) that
// decide whether a publishing workflow can be trusted with an OIDC token.
//
// It works on go.yaml.in/yaml/v3 node trees, so every finding has the exact line and
// column of the text to change. Lines and columns are 1-based; columns count characters
// (runes), as the YAML parser does, not bytes.
//
// Output: Text writes findings for people. The machine-readable form is encoding/json of
// the []Finding that Lint returns — an array of objects with the keys file, line, column,
// rule, severity ("error" or "warning"), message, why and fix — and nothing more.
package workflowlint
