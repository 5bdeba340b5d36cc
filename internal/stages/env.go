package stages

import (
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

// Env is the process environment as the pipeline sees it; tests give each
// run its own instead of mutating the real one.
type Env struct {
	vars map[string]string
}

// OSEnv snapshots the process environment.
func OSEnv() *Env { return NewEnv(os.Environ()) }

// NewEnv builds an Env from KEY=VALUE pairs.
func NewEnv(kv []string) *Env {
	e := &Env{vars: map[string]string{}}
	for _, s := range kv {
		if k, v, ok := strings.Cut(s, "="); ok {
			e.vars[k] = v
		}
	}
	return e
}

// Get returns a variable's value, or "".
func (e *Env) Get(key string) string { return e.vars[key] }

// List returns KEY=VALUE pairs, sorted.
func (e *Env) List() []string {
	out := make([]string, 0, len(e.vars))
	for k, v := range e.vars {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}

// InGitHubActions reports whether the run is a GitHub Actions job.
func (e *Env) InGitHubActions() bool { return e.Get("GITHUB_ACTIONS") == "true" }

// InCI reports whether the run is any CI job.
func (e *Env) InCI() bool {
	return e.InGitHubActions() || e.Get("GITLAB_CI") == "true" || e.Get("CI") == "true" || e.Get("CI") == "1"
}

// strippedFromBuild are never given to build commands: with them a
// compromised build tool could mint ID tokens, talk to the Actions runtime,
// push to the repository or publish with a leftover registry token. The
// GITHUB_ENV/PATH/OUTPUT/STATE files are removed too, so a build step cannot
// casually inject environment or outputs into the steps after it.
var strippedFromBuild = []string{
	"ACTIONS_ID_TOKEN_REQUEST_TOKEN",
	"ACTIONS_ID_TOKEN_REQUEST_URL",
	"ACTIONS_RUNTIME_TOKEN",
	"ACTIONS_RUNTIME_URL",
	"ACTIONS_RESULTS_URL",
	"ACTIONS_CACHE_URL",
	"GITHUB_TOKEN",
	"GH_TOKEN",
	"GH_ENTERPRISE_TOKEN",
	"GITHUB_ENTERPRISE_TOKEN",
	"GITHUB_ENV",
	"GITHUB_PATH",
	"GITHUB_OUTPUT",
	"GITHUB_STATE",
	"GITHUB_STEP_SUMMARY",
	"CI_JOB_TOKEN",
	"CI_JOB_JWT",
	"CI_JOB_JWT_V1",
	"CI_JOB_JWT_V2",
	"CI_REGISTRY_PASSWORD",
	"CI_DEPLOY_PASSWORD",
	"NPM_TOKEN",
	"NODE_AUTH_TOKEN",
	"TWINE_PASSWORD",
	"PYPI_API_TOKEN",
	"CARGO_REGISTRY_TOKEN",
	"GEM_HOST_API_KEY",
	"RUBYGEMS_API_KEY",
	"SIGSTORE_ID_TOKEN",
}

// StrippedFromBuild reports whether a variable is removed from build commands:
// the built-in list, anything named in extra, and every *_ID_TOKEN (the
// GitLab convention for ID tokens declared with id_tokens:).
func StrippedFromBuild(name string, extra []string) bool {
	up := strings.ToUpper(name)
	return slices.Contains(strippedFromBuild, up) || slices.Contains(extra, name) ||
		strings.HasSuffix(up, "_ID_TOKEN")
}

// BuildEnviron is the environment for build commands: the pipeline's, less
// every credential, plus the extra variables given.
func (e *Env) BuildEnviron(strip []string, add map[string]string) []string {
	var out []string
	for _, kv := range e.List() {
		k, _, _ := strings.Cut(kv, "=")
		if StrippedFromBuild(k, strip) {
			continue
		}
		if _, overridden := add[k]; overridden {
			continue
		}
		out = append(out, kv)
	}
	for k, v := range add {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}

func dirOf(p string) string { return filepath.Dir(p) }
