// Package config owns release.toml: its schema, strict decoding (unknown keys,
// wrong types and missing fields are errors with file, line and key), defaults
// and the cross-field rules between sections.
package config

// Config is the whole of release.toml after decoding, defaults and validation.
// Paths in it are as written; use the Resolve* helpers for absolute paths.
type Config struct {
	Project  Project    `toml:"project"`
	Build    Build      `toml:"build"`
	Attest   Attest     `toml:"attest"`
	Approval Approval   `toml:"approval"`
	Identity Identity   `toml:"identity"`
	Registry []Registry `toml:"registry"`
	GitHub   GitHub     `toml:"github"`
	Audit    Audit      `toml:"audit"`

	// File is the path the config was read from (not a TOML key).
	File string `toml:"-"`
	// Dir is the absolute directory of File; relative paths resolve against it.
	Dir string `toml:"-"`
}

// Project says what is being released and where it lives.
type Project struct {
	// Name of the release (used in the manifest, audit log and GitHub release title).
	Name string `toml:"name"`
	// Version, literally. Exactly one of Version and VersionFrom must be set.
	Version string `toml:"version"`
	// VersionFrom reads the version from a file: a path to pyproject.toml,
	// package.json, Cargo.toml, or any other file holding only the version.
	VersionFrom string `toml:"version_from"`
	// TagFormat is the release tag, with {version} replaced; default "v{version}".
	TagFormat string `toml:"tag_format"`
	// Root is the project directory, relative to the config file; default ".".
	Root string `toml:"root"`
	// StateDir holds the manifest and the audit log, relative to Root; default ".releaser".
	StateDir string `toml:"state_dir"`
}

// Build configures the build stage.
type Build struct {
	Commands []Command `toml:"command"`
	// OutputDir is where the commands put artifacts, relative to Root. releaser
	// owns it: it is emptied before every build. Default "dist".
	OutputDir string `toml:"output_dir"`
	// Artifacts are globs relative to OutputDir; each must match at least one file.
	Artifacts []string `toml:"artifacts"`
	// StripEnv names extra environment variables removed from the commands'
	// environment, on top of the built-in list of CI credentials.
	StripEnv []string `toml:"strip_env"`
	// Timeout bounds the whole build; default 30m.
	Timeout Duration `toml:"timeout"`
}

// Command is one build step: an argv list run directly, or a shell script
// when Shell is set (an explicit opt-in, since a shell expands untrusted input).
type Command struct {
	Name  string            `toml:"name"`
	Argv  []string          `toml:"argv"`
	Shell string            `toml:"shell"`
	Dir   string            `toml:"dir"`
	Env   map[string]string `toml:"env"`
}

// Attest configures SLSA provenance in Sigstore bundles.
type Attest struct {
	Enabled *bool `toml:"enabled"`
	// Layout is "single" (one bundle for all subjects, as actions/attest-build-provenance
	// does) or "per-artifact" (<artifact>.sigstore.json each). Default "single".
	Layout string `toml:"layout"`
	// Transparency is "rekor" (public repositories) or "tsa" (a timestamp authority). Default "rekor".
	Transparency string `toml:"transparency"`
	FulcioURL    string `toml:"fulcio_url"`
	RekorURL     string `toml:"rekor_url"`
	TSAURL       string `toml:"tsa_url"`
	// TrustedRoot is a trusted_root.json used instead of the public-good one (tests, private deployments).
	TrustedRoot string `toml:"trusted_root"`
	// GitHubAttestations uploads bundles to the repository's attestations API.
	GitHubAttestations *bool `toml:"github_attestations"`
}

// Approval configures the N-distinct-humans gate.
type Approval struct {
	// Required distinct approvers, none of them the actor who started the run. 0 disables the stage.
	Required int `toml:"required"`
	// Environments whose approvals count (gate environments and the release environment).
	Environments []string `toml:"environments"`
	// Reviewers each environment must list as required reviewers: logins or @org/team.
	Reviewers []string `toml:"reviewers"`
	// Timeout for waiting on approvals; default 24h.
	Timeout Duration `toml:"timeout"`
	// PollInterval is the first wait between polls (it backs off); default 15s.
	PollInterval Duration `toml:"poll_interval"`
	// WaitTimer is the environment wait timer to require, in minutes (0 = not checked).
	WaitTimer int `toml:"wait_timer"`
	// AllowProtectedBranches accepts a "protected branches" deployment policy instead of a tag pattern.
	AllowProtectedBranches bool `toml:"allow_protected_branches"`
	// RulesetSeverity for a missing tag ruleset: "error" (default) or "warning".
	RulesetSeverity string `toml:"ruleset_severity"`
}

// Identity is the claims policy applied to the job's OIDC ID token before it
// leaves the machine.
type Identity struct {
	// Provider is "github" (default) or "gitlab".
	Provider string `toml:"provider"`
	// Issuer of the ID token; default per provider.
	Issuer string `toml:"issuer"`
	// Repository "owner/name" the token must come from.
	Repository        string `toml:"repository"`
	RepositoryOwnerID string `toml:"repository_owner_id"`
	RepositoryID      string `toml:"repository_id"`
	// Workflow file name (e.g. "release.yml") of the publishing workflow.
	Workflow string `toml:"workflow"`
	// Environment the publishing job is bound to.
	Environment string `toml:"environment"`
	// AllowedEvents for event_name; default push, release, workflow_dispatch.
	// pull_request_target and workflow_run are always refused.
	AllowedEvents []string `toml:"allowed_events"`
	// RefPattern the ref claim must match (path.Match syntax); default "refs/tags/" + tag_format with * for {version}.
	RefPattern string `toml:"ref_pattern"`
	// AllowSelfHosted accepts runner_environment = self-hosted.
	AllowSelfHosted bool `toml:"allow_self_hosted"`
}

// Registry is one package registry the release is published to.
type Registry struct {
	// Kind is one of pypi, testpypi, npm, crates, rubygems.
	Kind string `toml:"kind"`
	// Package name at the registry.
	Package string `toml:"package"`
	// URL overrides the registry's base URL (tests, mirrors).
	URL string `toml:"url"`
	// Artifacts selects which artifacts go to this registry: globs over artifact
	// names; default by kind (wheels+sdists for PyPI, the .tgz for npm, ...).
	Artifacts []string `toml:"artifacts"`
	// Access for npm: "public" (default) or "restricted".
	Access string `toml:"access"`
	// DistTag for npm; default "latest".
	DistTag string `toml:"dist_tag"`
	// IDTokenEnv names the environment variable holding the ID token on GitLab CI.
	IDTokenEnv string `toml:"id_token_env"`
	// Provenance attaches the signed provenance to the upload: PEP 740
	// attestations at PyPI, the .sigstore attachment at npm. Default true;
	// registries that refuse it (a private mirror) need false.
	Provenance *bool `toml:"provenance"`
	// Workflow is the workflow file registered as trusted publisher at this
	// registry, when it differs from identity.workflow: with a reusable
	// workflow, PyPI and RubyGems bind the called file, npm and crates.io the caller.
	Workflow string `toml:"workflow"`
}

// GitHub configures the GitHub release.
type GitHub struct {
	// Repository "owner/name"; default identity.repository, then GITHUB_REPOSITORY.
	Repository string `toml:"repository"`
	// APIURL; default https://api.github.com (GITHUB_API_URL in Actions).
	APIURL string `toml:"api_url"`
	// Release turns the GitHub release on; default true.
	Release *bool `toml:"release"`
	// Notes is the release body; NotesFile reads it from a file (relative to Root). At most one.
	Notes     string `toml:"notes"`
	NotesFile string `toml:"notes_file"`
	// Prerelease marks the release as a pre-release.
	Prerelease bool `toml:"prerelease"`
	// MakeLatest is "true", "false" or "legacy"; default "true".
	MakeLatest string `toml:"make_latest"`
	// RequireImmutable refuses to finish unless GitHub reports the release immutable; default true.
	RequireImmutable *bool `toml:"require_immutable"`
}

// Audit configures the audit log.
type Audit struct {
	// Log path, relative to Root; default <state_dir>/audit.jsonl.
	Log string `toml:"log"`
}
