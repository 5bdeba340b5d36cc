package config

import (
	"fmt"
	"net/url"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/releaserhq/releaser/internal/loopback"
)

type validator struct {
	file string
	keys []keyPos
	errs Errors
}

func (v *validator) add(key, msg, fix string) {
	v.errs = append(v.errs, &Error{File: v.file, Line: lineOf(v.keys, key), Key: key, Msg: msg, Fix: fix})
}

// sort orders errors by line so the report reads top to bottom; errors
// without a line (missing keys of the top level) come first.
func (v *validator) sort() {
	sort.SliceStable(v.errs, func(i, j int) bool { return v.errs[i].Line < v.errs[j].Line })
}

// Kinds of registry releaser can publish to.
var Kinds = []string{"pypi", "testpypi", "npm", "crates", "rubygems"}

var (
	reName       = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)
	reVersion    = regexp.MustCompile(`^[0-9A-Za-z][0-9A-Za-z.+_-]*$`)
	reEnvName    = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	reRepo       = regexp.MustCompile(`^[A-Za-z0-9-]+/[A-Za-z0-9._-]+$`)
	reDigits     = regexp.MustCompile(`^[0-9]+$`)
	reWorkflow   = regexp.MustCompile(`^[^/]+\.ya?ml$`)
	reReviewer   = regexp.MustCompile(`^(@[A-Za-z0-9-]+/[A-Za-z0-9._-]+|[A-Za-z0-9-]+)$`)
	rePyPIName   = regexp.MustCompile(`(?i)^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$`)
	reNpmName    = regexp.MustCompile(`^(@[a-z0-9][a-z0-9._~-]*/)?[a-z0-9][a-z0-9._~-]*$`)
	reCrateName  = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]{0,63}$`)
	reGemName    = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)
	reTagIllegal = regexp.MustCompile(`[\x00-\x20~^:?*\[\\\x7f]|\.\.|@\{|//|^/|/$|\.lock$|^-`)
)

func (v *validator) validate(c *Config) {
	v.project(c)
	v.build(&c.Build)
	v.attest(&c.Attest)
	v.approval(&c.Approval)
	v.identity(&c.Identity)
	for i := range c.Registry {
		v.registry(i, &c.Registry[i])
	}
	v.registryDuplicates(c.Registry)
	v.github(c)
}

func (v *validator) project(c *Config) {
	p := &c.Project
	switch {
	case p.Name == "":
		v.add("project.name", "missing required key", `add name = "your-project" under [project]`)
	case !reName.MatchString(p.Name):
		v.add("project.name", fmt.Sprintf("%q is not a valid name", p.Name), "use letters, digits, '.', '_' and '-', starting with a letter or digit")
	}
	switch {
	case p.Version == "" && p.VersionFrom == "":
		v.add("project.version", "missing: set version or version_from", `add version = "1.2.3", or version_from = "pyproject.toml" (or package.json, Cargo.toml, a VERSION file)`)
	case p.Version != "" && p.VersionFrom != "":
		v.add("project.version_from", "version and version_from are both set", "keep one: a version written twice drifts")
	case p.Version != "" && !reVersion.MatchString(p.Version):
		v.add("project.version", fmt.Sprintf("%q is not a valid version", p.Version), "use a version like 1.2.3 or 1.2.3-rc.1")
	}
	if strings.Count(p.TagFormat, "{version}") != 1 {
		v.add("project.tag_format", fmt.Sprintf("%q must contain {version} exactly once", p.TagFormat), `e.g. tag_format = "v{version}"`)
	} else if reTagIllegal.MatchString(strings.ReplaceAll(p.TagFormat, "{version}", "1.0.0")) {
		v.add("project.tag_format", fmt.Sprintf("%q does not make a valid git tag name", p.TagFormat), "no spaces, ~ ^ : ? * [ \\, '..', or leading '-'")
	}
	v.relPath("project.root", p.Root, true)
	v.relPath("project.state_dir", p.StateDir, false)
}

// relPath checks a path that must stay inside the project: relative, no "..".
func (v *validator) relPath(key, p string, allowDot bool) {
	switch {
	case path.IsAbs(p) || strings.HasPrefix(p, `\`) || (len(p) > 1 && p[1] == ':'):
		v.add(key, fmt.Sprintf("%q is absolute", p), "write a path relative to the config file's directory")
	case slices.Contains(strings.Split(path.Clean(strings.ReplaceAll(p, `\`, "/")), "/"), ".."):
		if key != "project.root" {
			v.add(key, fmt.Sprintf("%q leaves the project directory", p), "use a path inside the project, without '..'")
		}
	case !allowDot && path.Clean(p) == ".":
		v.add(key, fmt.Sprintf("%q is the project directory itself", p), "use a subdirectory such as \"dist\"")
	}
}

func (v *validator) build(b *Build) {
	if len(b.Commands) == 0 {
		v.add("build.command", "no build commands", "add at least one [[build.command]] with argv = [\"make\", \"dist\"]")
	}
	for i, cmd := range b.Commands {
		key := fmt.Sprintf("build.command[%d]", i)
		switch {
		case len(cmd.Argv) == 0 && cmd.Shell == "":
			v.add(key, "command has neither argv nor shell", `set argv = ["tool", "arg"] (preferred) or shell = "script"`)
		case len(cmd.Argv) > 0 && cmd.Shell != "":
			v.add(key+".shell", "argv and shell are both set", "keep one: argv runs the program directly, shell runs sh -c")
		case len(cmd.Argv) > 0 && strings.TrimSpace(cmd.Argv[0]) == "":
			v.add(key+".argv", "the program name (argv[0]) is empty", "put the program first: argv = [\"make\", \"dist\"]")
		}
		if cmd.Dir != "" {
			v.relPath(key+".dir", cmd.Dir, true)
		}
		for name := range cmd.Env {
			if !reEnvName.MatchString(name) {
				v.add(key+".env."+name, fmt.Sprintf("%q is not a valid environment variable name", name), "use letters, digits and '_'")
			}
		}
	}
	v.relPath("build.output_dir", b.OutputDir, false)
	if len(b.Artifacts) == 0 {
		v.add("build.artifacts", "no artifact globs", `add artifacts = ["*.whl", "*.tar.gz"] (globs relative to output_dir)`)
	}
	for i, g := range b.Artifacts {
		key := fmt.Sprintf("build.artifacts[%d]", i)
		if _, err := path.Match(g, ""); err != nil || g == "" {
			v.add(key, fmt.Sprintf("artifact glob %q is malformed", g), "use glob syntax: *, ?, [abc]")
			continue
		}
		if path.IsAbs(g) || slices.Contains(strings.Split(g, "/"), "..") {
			v.add(key, fmt.Sprintf("artifact glob %q escapes output_dir", g), "write globs relative to output_dir, without '..'")
		}
	}
	for _, name := range b.StripEnv {
		if !reEnvName.MatchString(name) {
			v.add("build.strip_env", fmt.Sprintf("%q is not a valid environment variable name", name), "list variable names, e.g. strip_env = [\"NPM_TOKEN\"]")
		}
	}
	if b.Timeout.Duration <= 0 {
		v.add("build.timeout", "must be positive", `e.g. timeout = "30m"`)
	}
}

func (v *validator) attest(a *Attest) {
	v.oneOf("attest.layout", a.Layout, "single", "per-artifact")
	v.oneOf("attest.transparency", a.Transparency, "rekor", "tsa")
	v.serviceURL("attest.fulcio_url", a.FulcioURL)
	v.serviceURL("attest.rekor_url", a.RekorURL)
	v.serviceURL("attest.tsa_url", a.TSAURL)
}

func (v *validator) approval(a *Approval) {
	if a.Required < 0 {
		v.add("approval.required", "must not be negative", "set the number of distinct approvers, e.g. required = 2 (0 turns the stage off)")
	}
	if a.Required > 0 && len(a.Environments) == 0 {
		v.add("approval.environments", fmt.Sprintf("required = %d but no environments are listed", a.Required),
			`list the deployment environments whose reviewers approve, e.g. environments = ["release-gate-1", "release-gate-2", "release"]`)
	}
	seen := map[string]bool{}
	for _, e := range a.Environments {
		if e == "" || strings.TrimSpace(e) != e {
			v.add("approval.environments", fmt.Sprintf("%q is not a valid environment name", e), "remove empty names and surrounding spaces")
		}
		if seen[strings.ToLower(e)] {
			v.add("approval.environments", fmt.Sprintf("environment %q is listed twice", e), "list each environment once")
		}
		seen[strings.ToLower(e)] = true
	}
	for _, r := range a.Reviewers {
		if !reReviewer.MatchString(r) {
			v.add("approval.reviewers", fmt.Sprintf("%q is neither a GitHub login nor @org/team", r), `e.g. reviewers = ["alice", "@octo-org/release-team"]`)
		}
	}
	if a.WaitTimer < 0 || a.WaitTimer > 43200 {
		v.add("approval.wait_timer", "must be between 0 and 43200 minutes", "GitHub allows wait timers up to 30 days")
	}
	v.oneOf("approval.ruleset_severity", a.RulesetSeverity, "error", "warning")
}

func (v *validator) identity(id *Identity) {
	v.oneOf("identity.provider", id.Provider, "github", "gitlab")
	v.serviceURL("identity.issuer", id.Issuer)
	if id.Repository != "" && !reRepo.MatchString(id.Repository) {
		v.add("identity.repository", fmt.Sprintf("%q is not owner/name", id.Repository), `e.g. repository = "octo-org/octo-repo"`)
	}
	for _, k := range []struct{ key, val string }{
		{"identity.repository_owner_id", id.RepositoryOwnerID},
		{"identity.repository_id", id.RepositoryID},
	} {
		if k.val != "" && !reDigits.MatchString(k.val) {
			v.add(k.key, fmt.Sprintf("%q is not a numeric id", k.val), "find it with: gh api repos/OWNER/REPO --jq '.owner.id, .id'")
		}
	}
	if id.Workflow != "" && !reWorkflow.MatchString(id.Workflow) {
		v.add("identity.workflow", fmt.Sprintf("%q is not a workflow file name", id.Workflow), `name the file only, as registries do: workflow = "release.yml"`)
	}
	for _, e := range id.AllowedEvents {
		if slices.Contains(ForbiddenEvents, e) {
			v.add("identity.allowed_events", fmt.Sprintf("%q can never be allowed", e),
				"pull_request_target and workflow_run run privileged on behalf of untrusted code; trigger releases on push of a tag, release or workflow_dispatch")
		}
	}
	if _, err := path.Match(id.RefPattern, ""); err != nil {
		v.add("identity.ref_pattern", fmt.Sprintf("%q is not a valid pattern", id.RefPattern), `e.g. ref_pattern = "refs/tags/v*"`)
	}
}

func (v *validator) registry(i int, r *Registry) {
	key := fmt.Sprintf("registry[%d]", i)
	if r.Kind == "" {
		v.add(key+".kind", "missing required key", "set kind = one of "+strings.Join(Kinds, ", "))
		return
	}
	if !slices.Contains(Kinds, r.Kind) {
		fix := "use one of " + strings.Join(Kinds, ", ")
		if s := suggest(r.Kind, Kinds); s != "" {
			fix = fmt.Sprintf("did you mean %q? %s", s, fix)
		}
		v.add(key+".kind", fmt.Sprintf("unknown registry kind %q", r.Kind), fix)
		return
	}
	v.packageName(key, r)
	if r.URL != "" {
		v.serviceURL(key+".url", r.URL)
	}
	if r.Provenance != nil && r.Kind != "npm" && r.Kind != "pypi" && r.Kind != "testpypi" {
		v.add(key+".provenance", "only PyPI and npm take provenance with an upload", "remove provenance from this entry")
	}
	if r.Kind != "npm" {
		if r.Access != "" {
			v.add(key+".access", "only npm registries have access", "remove access from this entry")
		}
		if r.DistTag != "" {
			v.add(key+".dist_tag", "only npm registries have dist-tags", "remove dist_tag from this entry")
		}
	} else {
		v.oneOf(key+".access", r.Access, "public", "restricted")
		if r.Access == "restricted" && !strings.HasPrefix(r.Package, "@") {
			v.add(key+".access", "unscoped npm packages are always public", `use access = "public", or a scoped name like "@org/pkg"`)
		}
		if strings.ContainsAny(r.DistTag, " /") || reVersion.MatchString(r.DistTag) && r.DistTag[0] >= '0' && r.DistTag[0] <= '9' {
			v.add(key+".dist_tag", fmt.Sprintf("%q is not a usable dist-tag", r.DistTag), `npm refuses tags that look like versions; e.g. dist_tag = "latest" or "next"`)
		}
	}
	for _, g := range r.Artifacts {
		if _, err := path.Match(g, ""); err != nil || strings.Contains(g, "/") {
			v.add(key+".artifacts", fmt.Sprintf("%q is not a glob over artifact names", g), `e.g. artifacts = ["*.whl"]`)
		}
	}
	if r.Workflow != "" && !reWorkflow.MatchString(r.Workflow) {
		v.add(key+".workflow", fmt.Sprintf("%q is not a workflow file name", r.Workflow), `name the file only, as registries do: workflow = "publish.yml"`)
	}
	if r.IDTokenEnv != "" && !reEnvName.MatchString(r.IDTokenEnv) {
		v.add(key+".id_token_env", fmt.Sprintf("%q is not a valid environment variable name", r.IDTokenEnv), "e.g. id_token_env = \"PYPI_ID_TOKEN\"")
	}
}

func (v *validator) packageName(key string, r *Registry) {
	if r.Package == "" {
		v.add(key+".package", fmt.Sprintf("a %s registry needs a package name", r.Kind),
			`add package = "name" (npm names may be scoped: "@org/name")`)
		return
	}
	var re *regexp.Regexp
	var rule string
	switch r.Kind {
	case "pypi", "testpypi":
		re, rule = rePyPIName, "letters, digits, '.', '_' and '-', starting and ending with a letter or digit"
	case "npm":
		re, rule = reNpmName, "lower case, optionally scoped (@scope/name), at most 214 characters"
	case "crates":
		re, rule = reCrateName, "a letter, then letters, digits, '_' or '-', at most 64 characters"
	case "rubygems":
		re, rule = reGemName, "letters, digits, '.', '_' and '-'"
	}
	if !re.MatchString(r.Package) || len(r.Package) > 214 {
		v.add(key+".package", fmt.Sprintf("%q is not a valid %s package name", r.Package, r.Kind), "use "+rule)
	}
}

func (v *validator) registryDuplicates(rs []Registry) {
	seen := map[string]int{}
	for i, r := range rs {
		id := r.Kind + " " + r.URL + " " + r.Package
		if j, ok := seen[id]; ok {
			v.add(fmt.Sprintf("registry[%d]", i), fmt.Sprintf("same registry and package as registry[%d]", j), "remove the duplicate entry")
		}
		seen[id] = i
	}
}

func (v *validator) github(c *Config) {
	g := &c.GitHub
	if g.Repository != "" && !reRepo.MatchString(g.Repository) {
		v.add("github.repository", fmt.Sprintf("%q is not owner/name", g.Repository), `e.g. repository = "octo-org/octo-repo"`)
	}
	if c.Identity.Repository != "" && g.Repository != "" && !strings.EqualFold(c.Identity.Repository, g.Repository) {
		v.add("github.repository", fmt.Sprintf("%q differs from identity.repository %q", g.Repository, c.Identity.Repository),
			"the release is made in the repository whose workflow mints the tokens; make them equal or drop github.repository")
	}
	v.serviceURL("github.api_url", g.APIURL)
	if g.Notes != "" && g.NotesFile != "" {
		v.add("github.notes_file", "notes and notes_file are both set", "keep one")
	}
	if g.NotesFile != "" {
		v.relPath("github.notes_file", g.NotesFile, false)
	}
	v.oneOf("github.make_latest", g.MakeLatest, "true", "false", "legacy")
	v.relPath("audit.log", c.Audit.Log, false)
}

func (v *validator) oneOf(key, val string, allowed ...string) {
	if slices.Contains(allowed, val) {
		return
	}
	fix := "use one of: " + strings.Join(allowed, ", ")
	if s := suggest(val, allowed); s != "" {
		fix = fmt.Sprintf("did you mean %q? %s", s, fix)
	}
	v.add(key, fmt.Sprintf("%q is not allowed", val), fix)
}

// serviceURL requires https, except on loopback where tests and local
// emulators run; a token must never travel in clear text over a network.
func (v *validator) serviceURL(key, raw string) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		v.add(key, fmt.Sprintf("%q is not an absolute http(s) URL", raw), "write the full URL, e.g. https://example.org")
		return
	}
	if u.User != nil {
		v.add(key, "URL contains credentials", "remove user:password@ from the URL; releaser never takes long-lived credentials")
	}
	if u.Scheme == "http" && !loopback.Host(u.Hostname()) {
		v.add(key, fmt.Sprintf("%q is plain http", raw), "use https (plain http is allowed only for localhost emulators)")
	}
}

// ValidVersion reports whether v is a version release.toml accepts (what
// version, and the file version_from names, may hold).
func ValidVersion(v string) bool { return reVersion.MatchString(v) }
