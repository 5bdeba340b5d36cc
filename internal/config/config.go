// Package config owns release.toml: its schema, strict decoding (unknown keys,
// wrong types and missing fields are errors with file, line and key), defaults
// and the cross-field rules between sections.
package config

// The doc comment of every field with a toml tag is that key's entry in
// docs/CONFIG.md (go generate ./internal/config), so each reads as a key
// description: TOML key names, allowed values, and the default wherever it is
// computed from other keys (constant defaults are read off applyDefaults).

// Config is the whole of release.toml after decoding, defaults and validation.
// Paths in it are as written; use the Resolve* helpers for absolute paths.
type Config struct {
	// What is being released and where it lives.
	Project Project `toml:"project"`
	// The build stage: the commands that make the artifacts, run with an
	// environment stripped of CI credentials, and the artifacts they must
	// produce.
	Build Build `toml:"build"`
	// SLSA provenance v1 for every artifact, signed into Sigstore bundles.
	Attest Attest `toml:"attest"`
	// The gate of distinct human approvers. GitHub alone lets one reviewer
	// approve a deployment; releaser counts the people.
	Approval Approval `toml:"approval"`
	// The claims the job's OIDC ID token must carry before it is sent anywhere.
	Identity Identity `toml:"identity"`
	// One [[registry]] per place the release is published to. Several keys
	// default by kind; each says how.
	Registry []Registry `toml:"registry"`
	// The GitHub release: every artifact, SHA256SUMS and the attestation
	// bundles, published last.
	GitHub GitHub `toml:"github"`
	// The audit log of every run.
	Audit Audit `toml:"audit"`

	// File is the path the config was read from (not a TOML key).
	File string `toml:"-"`
	// Dir is the absolute directory of File; relative paths resolve against it.
	Dir string `toml:"-"`
}

// Project says what is being released and where it lives.
type Project struct {
	// Name of the release: used in the manifest, the audit log and the GitHub
	// release title. Required: letters, digits, ".", "_" and "-", starting
	// with a letter or digit.
	Name string `toml:"name"`
	// The version, written literally, e.g. "1.2.3" or "1.2.3-rc.1". Set
	// exactly one of version and version_from.
	Version string `toml:"version"`
	// Read the version from a file, relative to root: pyproject.toml
	// ([project].version), package.json ("version"), Cargo.toml
	// ([package].version), or any other file holding only the version on one
	// line. Set exactly one of version and version_from.
	VersionFrom string `toml:"version_from"`
	// The release tag, with {version} replaced; it must contain {version}
	// exactly once and make a valid git tag name. In CI the tag that triggered
	// the run must be exactly this, and HEAD must be at it.
	TagFormat string `toml:"tag_format"`
	// The project directory, relative to the config file's directory. Build
	// commands run here, and the other paths are relative to it.
	Root string `toml:"root"`
	// Where releaser keeps its working files (the attestation bundles,
	// SHA256SUMS and, by default, the audit log), relative to root and inside
	// it. Keep it out of git (.gitignore).
	StateDir string `toml:"state_dir"`
}

// Build configures the build stage.
type Build struct {
	// The build commands, run in order in an environment stripped of CI
	// credentials; at least one is required. Each sees RELEASER_OUTPUT_DIR
	// (the absolute output_dir) and SOURCE_DATE_EPOCH (the commit time, for
	// reproducible builds) unless its env sets them.
	Commands []Command `toml:"command"`
	// Where the commands write artifacts, relative to root and inside it.
	// releaser owns this directory: it is emptied before every build.
	OutputDir string `toml:"output_dir"`
	// Globs (relative to output_dir) selecting the artifacts; at least one is
	// required. Each must match at least one file; symlinks, files outside
	// output_dir and duplicate names are refused.
	Artifacts []string `toml:"artifacts"`
	// Extra environment variables to remove from the build's environment, on
	// top of the built-in list (ACTIONS_ID_TOKEN_REQUEST_TOKEN,
	// ACTIONS_ID_TOKEN_REQUEST_URL, ACTIONS_RUNTIME_TOKEN, GITHUB_TOKEN,
	// GH_TOKEN, every *_ID_TOKEN, the usual registry tokens, and more).
	StripEnv []string `toml:"strip_env"`
	// Upper bound for the whole build, all commands together.
	Timeout Duration `toml:"timeout"`
}

// Command is one build step: an argv list run directly, or a shell script
// when Shell is set (an explicit opt-in, since a shell expands untrusted input).
type Command struct {
	// A label for the command in the output and the audit log (default: its
	// position and program).
	Name string `toml:"name"`
	// The program and its arguments, run directly: nothing is parsed by a
	// shell. Set exactly one of argv and shell; argv is preferred.
	Argv []string `toml:"argv"`
	// A script run with sh -c, an explicit opt-in: a shell expands whatever
	// reaches it. Set exactly one of argv and shell.
	Shell string `toml:"shell"`
	// The directory the command runs in, relative to root (default: root).
	Dir string `toml:"dir"`
	// Extra environment variables for this command; they win over
	// RELEASER_OUTPUT_DIR and SOURCE_DATE_EPOCH. For example:
	//
	//	env = { EXAMPLE = "1" }
	Env map[string]string `toml:"env"`
}

// Attest configures SLSA provenance in Sigstore bundles.
type Attest struct {
	// Make and sign provenance for every artifact. With false there are no
	// bundles, and no registry gets provenance with its upload.
	Enabled *bool `toml:"enabled"`
	// "single": one bundle covering every artifact (what
	// actions/attest-build-provenance does); "per-artifact":
	// <artifact>.sigstore.json for each.
	Layout string `toml:"layout"`
	// "rekor" logs the signature in the public transparency log (public
	// repositories); "tsa" uses a timestamp authority instead (private ones).
	Transparency string `toml:"transparency"`
	// The Fulcio certificate authority that issues the signing certificate.
	FulcioURL string `toml:"fulcio_url"`
	// The Rekor transparency log, used when transparency is "rekor".
	RekorURL string `toml:"rekor_url"`
	// The RFC 3161 timestamp authority, used when transparency is "tsa".
	TSAURL string `toml:"tsa_url"`
	// A trusted_root.json to verify against instead of the Sigstore
	// public-good root (private deployments, tests); relative to root.
	TrustedRoot string `toml:"trusted_root"`
	// Also store the bundles through the repository's attestations API (what
	// gh attestation verify reads).
	GitHubAttestations *bool `toml:"github_attestations"`
}

// Approval configures the N-distinct-humans gate.
type Approval struct {
	// Distinct people who must approve this run, none of them the one who
	// started it. 0 turns the approval stage off.
	Required int `toml:"required"`
	// Deployment environments whose approvals count: one gate per approver
	// and the release environment of the publishing job. Required when
	// approval.required is above 0.
	Environments []string `toml:"environments"`
	// Users (login) or teams (@org/team) every environment must list as
	// required reviewers.
	Reviewers []string `toml:"reviewers"`
	// How long to wait for the approvals.
	Timeout Duration `toml:"timeout"`
	// The first interval between polls for approvals; it backs off from here.
	PollInterval Duration `toml:"poll_interval"`
	// The environment wait timer to require, in minutes, from 0 to 43200
	// (30 days). 0: not checked.
	WaitTimer int `toml:"wait_timer"`
	// Accept protected branches as the environments' deployment branch
	// policy, instead of a tag pattern.
	AllowProtectedBranches bool `toml:"allow_protected_branches"`
	// How to treat a release tag that no tag ruleset protects from update and
	// deletion: "error" fails the approval stage's check, "warning" only
	// reports it.
	RulesetSeverity string `toml:"ruleset_severity"`
}

// Identity is the claims policy applied to the job's OIDC ID token before it
// leaves the machine.
type Identity struct {
	// Where the job runs: "github" (GitHub Actions) or "gitlab" (GitLab CI).
	Provider string `toml:"provider"`
	// The issuer the ID token must come from. Default per provider:
	// https://token.actions.githubusercontent.com for github,
	// https://gitlab.com for gitlab.
	Issuer string `toml:"issuer"`
	// The repository ("owner/name") the release workflow runs in.
	Repository string `toml:"repository"`
	// The numeric id of the repository's owner (optional, recommended: it
	// survives renames). To find it:
	//
	//	gh api repos/OWNER/REPO --jq .owner.id
	RepositoryOwnerID string `toml:"repository_owner_id"`
	// The numeric id of the repository (optional, recommended: it survives
	// renames). To find it:
	//
	//	gh api repos/OWNER/REPO --jq .id
	RepositoryID string `toml:"repository_id"`
	// The workflow file of the publishing job, as you register it at the
	// registries: the file name only, e.g. "release.yml".
	Workflow string `toml:"workflow"`
	// The deployment environment the publishing job is bound to.
	Environment string `toml:"environment"`
	// Events that may start a release. pull_request_target and workflow_run
	// are always refused, whatever is listed.
	AllowedEvents []string `toml:"allowed_events"`
	// The pattern (path.Match syntax) the token's ref claim must match.
	// Default: "refs/tags/" followed by tag_format with * for {version}, e.g.
	// "refs/tags/v*".
	RefPattern string `toml:"ref_pattern"`
	// Accept tokens from self-hosted runners (npm refuses them regardless).
	AllowSelfHosted bool `toml:"allow_self_hosted"`
}

// Registry is one package registry the release is published to.
type Registry struct {
	// Which registry: "pypi", "testpypi", "npm", "crates" or "rubygems".
	// Required.
	Kind string `toml:"kind"`
	// The package's name at the registry. Default: project.name, except for
	// npm, where it is required (and may be scoped, "@org/name").
	Package string `toml:"package"`
	// The registry's base URL, for mirrors and emulators. Default: the public
	// registry of the kind (https://upload.pypi.org, https://test.pypi.org,
	// https://registry.npmjs.org, https://crates.io, https://rubygems.org).
	URL string `toml:"url"`
	// Globs over artifact names selecting what goes to this registry.
	// Default: every artifact of a kind the registry takes (wheels and sdists
	// for PyPI, the .tgz for npm, the .crate for crates.io, the .gem for
	// RubyGems).
	Artifacts []string `toml:"artifacts"`
	// npm only: "public" or "restricted" (scoped packages only). Default for
	// npm: "public".
	Access string `toml:"access"`
	// npm only: the dist-tag this version gets; it must not look like a
	// version. Default for npm: "latest".
	DistTag string `toml:"dist_tag"`
	// On GitLab CI, the variable holding the ID token for this registry, as
	// the job declares it in its id_tokens. Default: NPM_ID_TOKEN for npm,
	// CRATES_IO_ID_TOKEN for crates, otherwise the registry's audience in
	// upper case with _ID_TOKEN appended (PYPI_ID_TOKEN at PyPI).
	IDTokenEnv string `toml:"id_token_env"`
	// PyPI and npm only: attach the signed provenance to the upload (PyPI: PEP
	// 740 attestations; npm: the .sigstore attachment). Default for them: true
	// (when attest.enabled); a private mirror that refuses it needs false.
	Provenance *bool `toml:"provenance"`
	// The workflow file registered as trusted publisher at this registry, when
	// it is not identity.workflow (the default). With a reusable workflow,
	// PyPI and RubyGems register the called file, npm and crates.io the
	// calling one.
	Workflow string `toml:"workflow"`
}

// GitHub configures the GitHub release.
type GitHub struct {
	// The repository ("owner/name") of the release; when identity.repository
	// is set, it must be the same. Default: identity.repository, then
	// GITHUB_REPOSITORY.
	Repository string `toml:"repository"`
	// The REST API base URL. GITHUB_API_URL, set in GitHub Actions, wins over
	// the default.
	APIURL string `toml:"api_url"`
	// Make a GitHub release with every artifact, SHA256SUMS and the
	// attestation bundles.
	Release *bool `toml:"release"`
	// The release notes, inline. Set at most one of notes and notes_file.
	Notes string `toml:"notes"`
	// The release notes, read from a file relative to root. Set at most one of
	// notes and notes_file.
	NotesFile string `toml:"notes_file"`
	// Mark the release as a pre-release.
	Prerelease bool `toml:"prerelease"`
	// Whether the release becomes the repository's latest: "true", "false" or
	// "legacy" (GitHub decides by date and version).
	MakeLatest string `toml:"make_latest"`
	// Refuse to finish unless GitHub reports the published release immutable.
	RequireImmutable *bool `toml:"require_immutable"`
}

// Audit configures the audit log.
type Audit struct {
	// The append-only, hash-chained audit log, relative to root. Each run
	// appends to it; releaser refuses to append to a log whose chain is
	// broken. Default: audit.jsonl in state_dir.
	Log string `toml:"log"`
}
