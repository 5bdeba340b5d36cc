package stages

import "slices"

//go:generate go run ./cmd/troubleshoot -o ../../docs/TROUBLESHOOTING.md

// Precondition codes: one per kind of precondition, stable across releases so
// that a failure can be searched for and documented. What varies between
// instances (the registry, the environment, the command) is in the check's
// Name and Detail, never in its code.
const (
	CodeBuildGitWorkTree       = "build/git-work-tree"
	CodeBuildCleanTree         = "build/clean-tree"
	CodeBuildReleaseTag        = "build/release-tag"
	CodeBuildTagMatchesVersion = "build/tag-matches-version"
	CodeBuildHeadAtTag         = "build/head-at-tag"
	CodeBuildOutputDir         = "build/output-dir"
	CodeBuildCommandExists     = "build/command-exists"

	CodeAttestProvenance  = "attest/provenance"
	CodeAttestManifest    = "attest/manifest"
	CodeAttestIDToken     = "attest/id-token"
	CodeAttestTrustedRoot = "attest/trusted-root"

	CodeApproveApprovals         = "approve/approvals"
	CodeApproveRepository        = "approve/repository"
	CodeApproveGitHubToken       = "approve/github-token"
	CodeApproveEnvironment       = "approve/environment"
	CodeApproveRequiredReviewers = "approve/required-reviewers"
	CodeApprovePreventSelfReview = "approve/prevent-self-review"
	CodeApproveAdminBypass       = "approve/admin-bypass"
	CodeApproveWaitTimer         = "approve/wait-timer"
	CodeApproveDeploymentPolicy  = "approve/deployment-policy"
	CodeApproveRuleset           = "approve/ruleset"
	CodeApproveRunApprovals      = "approve/run-approvals"

	CodeExchangeRegistries     = "exchange/registries"
	CodeExchangeIdentityPolicy = "exchange/identity-policy"
	CodeExchangeIssuer         = "exchange/issuer"
	CodeExchangeRegistryConfig = "exchange/registry-config"
	CodeExchangeAudience       = "exchange/audience"
	CodeExchangeIDToken        = "exchange/id-token"
	CodeExchangeClaims         = "exchange/claims"
	CodeExchangeWorkflowLint   = "exchange/workflow-lint"

	CodePublishManifest          = "publish/manifest"
	CodePublishRegistryConfig    = "publish/registry-config"
	CodePublishRegistryArtifacts = "publish/registry-artifacts"
	CodePublishUploadToken       = "publish/upload-token"
	CodePublishGitHubRelease     = "publish/github-release"
	CodePublishGitHubRepository  = "publish/github-repository"
	CodePublishGitHubToken       = "publish/github-token"
	CodePublishReleaseTag        = "publish/release-tag"

	CodeFinalizeGitHubRelease     = "finalize/github-release"
	CodeFinalizeImmutableReleases = "finalize/immutable-releases"
	CodeFinalizeManifest          = "finalize/manifest"
	CodeFinalizeDraftRelease      = "finalize/draft-release"
	CodeFinalizeReleaseAssets     = "finalize/release-assets"
	CodeFinalizeRegistryUploads   = "finalize/registry-uploads"
	CodeFinalizeTagCommit         = "finalize/tag-commit"

	// CodeNotAvailable belongs to no one stage: any stage this build lacks
	// reports it (NotAvailable).
	CodeNotAvailable = "pipeline/not-available"
)

// CodeDoc documents one precondition code: what it checks, what a failure
// means and how to fix it in general. A check's own Fix says what to do in
// the instance at hand.
type CodeDoc struct {
	Code  string // "build/clean-tree"
	Stage string // the stage that reports it ("pipeline" for any stage)
	Title string // the precondition in words, as the check's Name says it
	Means string // what a failure means, in plain words
	Fix   string // how to fix it in general (commands, config keys, where in GitHub's UI)
}

// Codes is the catalogue of precondition codes, in pipeline order.
func Codes() []CodeDoc { return slices.Clone(codeDocs) }

// LookupCode returns the documentation of a code.
func LookupCode(code string) (CodeDoc, bool) {
	i := slices.IndexFunc(codeDocs, func(d CodeDoc) bool { return d.Code == code })
	if i < 0 {
		return CodeDoc{}, false
	}
	return codeDocs[i], true
}

const ghTokenFix = "Outside CI, set `GITHUB_TOKEN` (or `GH_TOKEN`) to a token that can read the repository, or log in with `gh auth login` so that `gh auth token` gives one."

var codeDocs = []CodeDoc{
	// build
	{CodeBuildGitWorkTree, "build", "git work tree",
		"releaser is not running inside a git checkout of the project (or git itself failed). A release is built from a tagged commit, so there must be one.",
		"Run releaser from a clone of the repository, with `git` installed. In CI, check out the repository first (`actions/checkout`)."},
	{CodeBuildCleanTree, "build", "work tree is clean",
		"The checkout has uncommitted changes, so what would be built is not exactly the tagged commit.",
		"Commit or stash the changes (`git status` lists them). If the only changes are releaser's own output or state directories, add them to `.gitignore`. A dry run may pass `--allow-dirty` to try out an uncommitted tree."},
	{CodeBuildReleaseTag, "build", "release tag",
		"No release tag is known (a local run without `--tag`), or the tag is not a valid git tag name, or it does not match `[project].tag_format`.",
		"Run from a push of the release tag, or pass `--tag` with the tag `[project].tag_format` gives for the version (for `v{version}` and version 1.2.3: `--tag v1.2.3`). Change `[project].tag_format` if your tags are named differently."},
	{CodeBuildTagMatchesVersion, "build", "tag matches version",
		"The release tag names a different version than the project declares (`[project].version` or the file `[project].version_from` names).",
		"Set the version in the project to the tag's version and tag that commit, or release the tag that matches the version."},
	{CodeBuildHeadAtTag, "build", "HEAD is at the tag",
		"The release tag does not exist in this checkout, or it points at another commit than the one checked out.",
		"Create and push the tag (`git tag -a v1.2.3 -m v1.2.3 && git push origin v1.2.3`), or `git checkout` it. In CI, fetch tags (`actions/checkout` with `fetch-tags: true`)."},
	{CodeBuildOutputDir, "build", "output directory",
		"`[build].output_dir` holds files tracked by git. releaser empties that directory before every build, so it would delete them.",
		"Point `[build].output_dir` at a directory only the build writes (e.g. `dist`) and keep it in `.gitignore`."},
	{CodeBuildCommandExists, "build", "command … exists",
		"A program a `[[build.command]]` runs is not found on the build's `PATH` (or, for a path with a slash, is not an executable file).",
		"Install the program on the build machine (in CI, a setup step before releaser), or correct `argv` of that `[[build.command]]`."},

	// attest
	{CodeAttestProvenance, "attest", "provenance",
		"Provenance is turned off with `[attest].enabled = false`: nothing is signed, and the stage is skipped.",
		"Nothing to fix. Set `[attest].enabled = true` to publish signed SLSA provenance with every release (recommended)."},
	{CodeAttestManifest, "attest", "manifest",
		"There is no readable artifact manifest to sign: the build stage has not run, or its output directory was not handed on to this job.",
		"Run the build stage first (`releaser run --to build`), or download the build job's output directory into `[build].output_dir` before `releaser run --from attest`."},
	{CodeAttestIDToken, "attest", "ID token for Sigstore",
		"Keyless signing needs an OIDC ID token from the CI system, and this job cannot get one. Outside CI this is expected: a dry run signs with an ephemeral key instead.",
		"On GitHub Actions, give the job `permissions: id-token: write` (pull requests from forks never get one). On GitLab CI, declare `SIGSTORE_ID_TOKEN` with audience `sigstore` under `id_tokens:`."},
	{CodeAttestTrustedRoot, "attest", "trust root",
		"`[attest].trusted_root` names a file that cannot be read.",
		"Point `[attest].trusted_root` at a `trusted_root.json` (relative to the project root), or remove the key to use the Sigstore public-good instance."},

	// approve
	{CodeApproveApprovals, "approve", "approvals",
		"`[approval].required = 0`: no approvals are required, and the stage is skipped.",
		"Nothing to fix. Set `[approval].required` to the number of distinct people who must approve each release."},
	{CodeApproveRepository, "approve", "GitHub repository",
		"releaser does not know which repository's environments and rulesets to check.",
		"Set `repository = \"owner/name\"` under `[github]` (or `[identity]`). In GitHub Actions `GITHUB_REPOSITORY` is used."},
	{CodeApproveGitHubToken, "approve", "environment protections",
		"Reading the environments' protection rules and the tag rulesets needs a GitHub token, and none is available. A token that GitHub refuses is reported by the checks that use it, not here.",
		"In the workflow, pass `env: GITHUB_TOKEN: ${{ github.token }}` to the releaser step, with `permissions: actions: read`. " + ghTokenFix},
	{CodeApproveEnvironment, "approve", "environment …",
		"A deployment environment listed in `[approval].environments` does not exist, or GitHub refused to show it to this token.",
		"Create the environment (Settings → Environments → New environment), with required reviewers and \"Prevent self-review\". If it exists, check the token's permissions: the check's own fix says what GitHub asked for."},
	{CodeApproveRequiredReviewers, "approve", "environment …: required reviewers",
		"The environment has no required reviewers, or lacks one that `[approval].reviewers` requires: a deployment to it would not wait for the people who must approve.",
		"Settings → Environments → the environment → Required reviewers: add the people or teams of `[approval].reviewers`."},
	{CodeApprovePreventSelfReview, "approve", "environment …: prevent self-review",
		"The person who started the run could approve their own deployment, so one person could release alone.",
		"Settings → Environments → the environment → tick \"Prevent self-review\" (`prevent_self_review=true` in the REST API)."},
	{CodeApproveAdminBypass, "approve", "environment …: admin bypass",
		"Repository administrators may deploy to the environment without any approval.",
		"Settings → Environments → the environment → untick \"Allow administrators to bypass configured protection rules\" (`can_admins_bypass=false`)."},
	{CodeApproveWaitTimer, "approve", "environment …: wait timer",
		"The environment waits fewer minutes before a deployment than `[approval].wait_timer` requires.",
		"Settings → Environments → the environment → Wait timer: at least `[approval].wait_timer` minutes."},
	{CodeApproveDeploymentPolicy, "approve", "environment …: deployment policy",
		"Workflows on other refs than the release tags can deploy to the environment (any branch, or protected branches), or no tag rule matches the release tag, so its approvals do not guard releases alone.",
		"Settings → Environments → the environment → Deployment branches and tags → Selected branches and tags → add a tag rule matching the release tags (e.g. `v*`) and remove branch rules. To accept protected branches instead, set `[approval].allow_protected_branches = true`."},
	{CodeApproveRuleset, "approve", "release tags protected by a ruleset",
		"No active tag ruleset stops the release tag from being moved or deleted, so a published release could be re-pointed at other code; or one exists but this token cannot see whether anyone may bypass it (a warning).",
		"Settings → Rules → Rulesets → New tag ruleset: target `refs/tags/v*` (your tag pattern), rules \"Restrict updates\" and \"Restrict deletions\", an empty bypass list, enforcement Active. Set `[approval].ruleset_severity = \"warning\"` to accept a missing ruleset."},
	{CodeApproveRunApprovals, "approve", "approvals of this run",
		"Approvals are counted for a GitHub Actions run, and there is none here (no `GITHUB_RUN_ID`): expected outside the release workflow.",
		"Nothing to fix locally; the release job counts the approvals. In CI, run releaser inside GitHub Actions."},

	// exchange
	{CodeExchangeRegistries, "exchange", "registries",
		"No `[[registry]]` is configured, so there is no token to exchange and the stage is skipped.",
		"Nothing to fix. Add a `[[registry]]` entry for each registry the release is published to."},
	{CodeExchangeIdentityPolicy, "exchange", "identity policy",
		"`[identity]` lacks `repository` or `workflow`, which every ID token is checked against before it is sent.",
		"Set `repository = \"owner/name\"` and `workflow = \"release.yml\"` (the publishing workflow's file) under `[identity]`."},
	{CodeExchangeIssuer, "exchange", "ID token issuer",
		"The OIDC issuer's discovery document or keys could not be fetched, so no ID token can be verified.",
		"Check `[identity].issuer` (it must serve `/.well-known/openid-configuration`); for GitHub it is `https://token.actions.githubusercontent.com`. If it is right, the issuer may be unavailable: try again."},
	{CodeExchangeRegistryConfig, "exchange", "ID token for …: registry entry",
		"releaser cannot set up the token exchange for a `[[registry]]` entry: its kind is not supported or its `url` is not valid.",
		"Use a supported `kind` (pypi, testpypi, npm, crates, rubygems) and an `https://` `url`, or remove `url` to use the public registry."},
	{CodeExchangeAudience, "exchange", "ID token for …: audience",
		"The registry did not say which ID-token audience it accepts: it is unreachable, or Trusted Publishing is not available there.",
		"Check the registry's `url` and that it supports Trusted Publishing; if it is down, try again later."},
	{CodeExchangeIDToken, "exchange", "ID token for …",
		"This job cannot get an OIDC ID token for the registry, or the token it got failed local verification (signature, issuer, expiry, audience). Outside CI this is expected: the check says what the release job will need.",
		"On GitHub Actions, give the publishing job `permissions: id-token: write` (pull requests from forks never get one). On GitLab CI, declare each registry's audience under `id_tokens:` (and `id_token_env` when the variable is not the conventional one)."},
	{CodeExchangeClaims, "exchange", "ID token for …: claims",
		"The ID token does not match what the registry's trusted publisher (and `[identity]`) expects: another repository, workflow file, environment, event, ref or runner. The registry would refuse it.",
		"Make `[identity]` (and the entry's `workflow`, for a reusable workflow) match the trusted publisher registered at the registry, and run the release from that workflow, environment and tag."},
	{CodeExchangeWorkflowLint, "exchange", "release workflow lint",
		"The workflow the release runs from (GITHUB_WORKFLOW_REF in CI, `.github/workflows/` + `[identity].workflow` locally) has a finding of the workflow lint: a trigger that runs untrusted code, an action not pinned to a commit, broad permissions, `id-token: write` outside the publishing job, a checkout that keeps credentials, a publishing job without an environment, or an untrusted expression in a script. Any one of them lets someone other than the approvers publish, so no token is minted.",
		"Run `releaser lint-workflow` on the file: each finding names the line, the rule, why it matters and the fix; the workflow-lint rules are explained below."},

	// publish
	{CodePublishManifest, "publish", "manifest",
		"There is no readable artifact manifest: the build stage has not run, or its output directory was not handed on to this job.",
		"Run the build stage first (`releaser run --to build`), or download the build job's output directory into `[build].output_dir`."},
	{CodePublishRegistryConfig, "publish", "uploads to …",
		"releaser cannot set up uploads to a `[[registry]]` entry: its kind is not supported, its `url` is not valid, or the package name or version is missing.",
		"Use a supported `kind` (pypi, testpypi, npm, crates, rubygems), an `https://` `url`, and set `package` (required for npm)."},
	{CodePublishRegistryArtifacts, "publish", "artifacts for …",
		"No artifact in the manifest is of a kind the registry takes (or matches the entry's `artifacts` globs), so nothing would be published there.",
		"Check `[build].artifacts` and the entry's `artifacts` globs against the files the build writes (wheels and sdists for PyPI, the `.tgz` for npm, the `.crate` for crates.io, the `.gem` for RubyGems)."},
	{CodePublishUploadToken, "publish", "upload token for …",
		"There is no registry token and this job cannot get an ID token to mint one.",
		"On GitHub Actions, give the publishing job `permissions: id-token: write`; on GitLab CI, declare the registry's audience under `id_tokens:`. Outside CI this is expected."},
	{CodePublishGitHubRelease, "publish", "GitHub release",
		"`[github].release = false`: no GitHub release is made, and its checks are skipped.",
		"Nothing to fix. Set `[github].release = true` to attach the artifacts, `SHA256SUMS` and provenance to an immutable GitHub release."},
	{CodePublishGitHubRepository, "publish", "GitHub repository",
		"releaser does not know which repository to make the release in.",
		"Set `repository = \"owner/name\"` under `[github]` (or `[identity]`). In GitHub Actions `GITHUB_REPOSITORY` is used."},
	{CodePublishGitHubToken, "publish", "GitHub token",
		"Creating the draft release and attaching assets needs a GitHub token with `contents: write`, and none is set.",
		"In the workflow, pass `env: GITHUB_TOKEN: ${{ github.token }}` to the releaser step and give the job `permissions: contents: write`. For a local run, set `GITHUB_TOKEN`."},
	{CodePublishReleaseTag, "publish", "release tag",
		"No release tag is known, and the GitHub release is made for one.",
		"Run from a push of the release tag, or pass `--tag`."},

	// finalize
	{CodeFinalizeGitHubRelease, "finalize", "GitHub release",
		"The release cannot be looked at: the repository or the tag is unknown (expected outside the release job), no GitHub token is available, or `[github].release = false` (skipped).",
		"In the release job, pass `env: GITHUB_TOKEN: ${{ github.token }}` and run from the tag. " + ghTokenFix},
	{CodeFinalizeImmutableReleases, "finalize", "immutable releases enabled",
		"The repository does not make published releases immutable, so their assets and tag could be changed afterwards. A warning when the token may not read the setting, or when `[github].require_immutable = false`.",
		"Settings → General → Releases → \"Enable release immutability\" (or `gh api -X PUT repos/OWNER/REPO/immutable-releases`)."},
	{CodeFinalizeManifest, "finalize", "manifest",
		"There is no readable artifact manifest yet, so the release's assets cannot be compared with what was built.",
		"Run the build stage first, or download the build job's output directory into `[build].output_dir`."},
	{CodeFinalizeDraftRelease, "finalize", "draft release",
		"There is no release for the tag (the publish stage makes the draft), or GitHub refused to list the releases.",
		"Run the publish stage first (`releaser run --from publish`). If GitHub refused, the check's own fix says what the token lacks."},
	{CodeFinalizeReleaseAssets, "finalize", "release assets",
		"The release's assets differ from what was built: something is missing, extra or has another digest; or the release is already published but mutable.",
		"For a draft, run the publish stage again and delete assets that do not belong to it. A published release cannot be changed: release a new version."},
	{CodeFinalizeRegistryUploads, "finalize", "registry uploads done",
		"The audit log does not show every registry upload as published or identical, so making the release public now would announce files some registry lacks.",
		"Run the publish stage (`releaser run --from publish`) with the same state directory; finalize then sees the uploads in the audit log."},
	{CodeFinalizeTagCommit, "finalize", "tag still on the built commit",
		"The release tag now points at another commit than the artifacts were built from: someone moved it after the build.",
		"Find out who moved it (the repository's audit log), restore it, and protect release tags with a ruleset (see `approve/ruleset`)."},

	{CodeNotAvailable, "pipeline", "implemented",
		"This build of releaser does not have the stage yet. A dry run goes on past it; a real run stops there.",
		"Use a releaser build that has the stage (the check's fix names the issue that tracks it)."},
}
