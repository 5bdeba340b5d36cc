// Package scaffold writes what `releaser init` gives a project: a release.toml
// for the package manifests it finds and a hardened release workflow that
// matches it (an unprivileged build job, one gate job per approver, one
// publishing job that alone can mint tokens).
//
// Detect reads the manifests (never running them: a gemspec is matched with a
// regular expression, not evaluated), Render turns what it found into files,
// deterministically, and Write puts them on disk without ever overwriting a
// file unless told to.
package scaffold
