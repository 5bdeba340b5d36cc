package stages

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/releaserhq/releaser/internal/artifact"
	"github.com/releaserhq/releaser/internal/config"
	"github.com/releaserhq/releaser/internal/git"
	"github.com/releaserhq/releaser/internal/ui"
)

// Build runs the configured build commands without credentials, collects the
// artifacts and writes their digests into the manifest.
type Build struct{}

func (Build) Name() string { return "build" }

func (Build) Check(ctx context.Context, r *Release) []Check {
	cfg := r.Config
	repo := git.Repo{Dir: cfg.RootDir()}
	var checks []Check

	top, err := repo.Top(ctx)
	if err != nil {
		checks = append(checks, Check{Name: "git work tree", Code: CodeBuildGitWorkTree, Status: StatusFailed, Detail: err.Error(),
			Fix: "run releaser inside a git checkout of the project (releases are built from a tagged commit)"})
		return append(checks, commandChecks(r)...)
	}
	checks = append(checks, cleanTreeCheck(ctx, r, repo, top))
	checks = append(checks, tagChecks(ctx, r, repo)...)
	checks = append(checks, outputDirCheck(ctx, cfg, repo))
	return append(checks, commandChecks(r)...)
}

func cleanTreeCheck(ctx context.Context, r *Release, repo git.Repo, top string) Check {
	c := Check{Name: "work tree is clean", Code: CodeBuildCleanTree}
	dirty, err := repo.Dirty(ctx)
	switch {
	case err != nil:
		c.Status, c.Detail = StatusFailed, err.Error()
		return c
	case len(dirty) == 0:
		c.Status = StatusOK
		return c
	}
	shown := dirty
	if len(shown) > 5 {
		shown = append(shown[:5:5], fmt.Sprintf("… and %d more", len(dirty)-5))
	}
	c.Detail = fmt.Sprintf("%d uncommitted change(s): %s", len(dirty), strings.Join(shown, "; "))
	c.Fix = "commit or stash them (git status); a release is built from exactly the tagged commit"
	if ignoredHint := stateIgnoreHint(r.Config, top, dirty); ignoredHint != "" {
		c.Fix = ignoredHint
	}
	if r.DryRun && r.AllowDirty {
		c.Status = StatusWarning
		c.Detail += " (allowed by --allow-dirty for this dry run)"
		return c
	}
	c.Status = StatusFailed
	if r.DryRun {
		c.Fix += "; or pass --allow-dirty to dry-run the uncommitted tree"
	}
	return c
}

// stateIgnoreHint recognises the common first-run mistake: releaser's own
// output and state directories are not in .gitignore.
func stateIgnoreHint(cfg *config.Config, top string, dirty []string) string {
	var dirs []string
	for _, d := range []string{cfg.OutputDir(), cfg.StateDir()} {
		if rel, err := filepath.Rel(top, d); err == nil {
			dirs = append(dirs, filepath.ToSlash(rel)+"/")
		}
	}
	for _, line := range dirty {
		p := strings.TrimSpace(line[min(len(line), 3):])
		for _, d := range dirs {
			if strings.HasPrefix(p+"/", d) || strings.HasPrefix(p, d) {
				return fmt.Sprintf("add %s to .gitignore: releaser writes build outputs and its state there", strings.Join(dirs, " and "))
			}
		}
	}
	return ""
}

func tagChecks(ctx context.Context, r *Release, repo git.Repo) []Check {
	cfg := r.Config
	want := cfg.Tag()
	if r.Tag == "" {
		return []Check{{Name: "release tag", Code: CodeBuildReleaseTag, Status: StatusNeedsCI,
			Detail: fmt.Sprintf("no release tag given; the release would be tagged %s", want),
			Fix:    fmt.Sprintf("run from a push of tag %s, or pass --tag %s", want, want)}}
	}
	if !validTagName(r.Tag) {
		return []Check{{Name: "release tag", Code: CodeBuildReleaseTag, Status: StatusFailed,
			Detail: fmt.Sprintf("%q is not a valid git tag name", r.Tag),
			Fix:    fmt.Sprintf("release from tag %s", want)}}
	}
	version, ok := cfg.VersionForTag(r.Tag)
	if !ok {
		return []Check{{Name: "release tag", Code: CodeBuildReleaseTag, Status: StatusFailed,
			Detail: fmt.Sprintf("tag %q does not match tag_format %q", r.Tag, cfg.Project.TagFormat),
			Fix:    fmt.Sprintf("release from tag %s, or change [project].tag_format", want)}}
	}
	if version != cfg.Project.Version {
		source := "[project].version"
		if cfg.Project.VersionFrom != "" {
			source = cfg.Project.VersionFrom
		}
		return []Check{{Name: "tag matches version", Code: CodeBuildTagMatchesVersion, Status: StatusFailed,
			Detail: fmt.Sprintf("tag %s names version %s, but the project version is %s (from %s)", r.Tag, version, cfg.Project.Version, source),
			Fix:    fmt.Sprintf("set the version to %s in %s and tag that commit, or release tag %s", version, source, want)}}
	}
	checks := []Check{{Name: "tag matches version", Code: CodeBuildTagMatchesVersion, Status: StatusOK, Detail: fmt.Sprintf("%s = version %s", r.Tag, version)}}
	commit, exists, err := repo.TagCommit(ctx, r.Tag)
	switch {
	case err != nil:
		checks = append(checks, Check{Name: "HEAD is at the tag", Code: CodeBuildHeadAtTag, Status: StatusFailed, Detail: err.Error()})
	case !exists:
		checks = append(checks, Check{Name: "HEAD is at the tag", Code: CodeBuildHeadAtTag, Status: StatusFailed,
			Detail: fmt.Sprintf("tag %s does not exist in this checkout", r.Tag),
			Fix:    fmt.Sprintf("git tag -a %s -m %s && git push origin %s (in CI: fetch tags, e.g. actions/checkout with fetch-tags)", r.Tag, r.Tag, r.Tag)})
	case r.Commit != "" && commit != r.Commit:
		checks = append(checks, Check{Name: "HEAD is at the tag", Code: CodeBuildHeadAtTag, Status: StatusFailed,
			Detail: fmt.Sprintf("tag %s is at %s but HEAD is %s", r.Tag, short(commit), short(r.Commit)),
			Fix:    fmt.Sprintf("git checkout %s", r.Tag)})
	default:
		checks = append(checks, Check{Name: "HEAD is at the tag", Code: CodeBuildHeadAtTag, Status: StatusOK, Detail: short(commit)})
	}
	return checks
}

// validTagName applies git's ref-name rules (git check-ref-format) that
// matter here; a tag from the environment is untrusted input.
func validTagName(tag string) bool {
	if tag == "" || strings.HasPrefix(tag, "-") || strings.HasSuffix(tag, ".lock") || strings.HasSuffix(tag, ".") ||
		strings.Contains(tag, "..") || strings.Contains(tag, "@{") || strings.Contains(tag, "//") ||
		strings.HasPrefix(tag, "/") || strings.HasSuffix(tag, "/") || tag == "@" {
		return false
	}
	for _, c := range tag {
		if c < 0x20 || c == 0x7f || strings.ContainsRune(" ~^:?*[\\", c) {
			return false
		}
	}
	return true
}

func outputDirCheck(ctx context.Context, cfg *config.Config, repo git.Repo) Check {
	c := Check{Name: "output directory", Code: CodeBuildOutputDir, Detail: cfg.Build.OutputDir}
	tracked, err := repo.Tracked(ctx, cfg.OutputDir())
	switch {
	case err != nil:
		c.Status, c.Detail = StatusFailed, err.Error()
	case len(tracked) > 0:
		c.Status = StatusFailed
		c.Detail = fmt.Sprintf("%s holds %d file(s) tracked by git (e.g. %s), and releaser empties it before every build", cfg.Build.OutputDir, len(tracked), tracked[0])
		c.Fix = "point [build].output_dir at a directory only the build writes, e.g. \"dist\""
	default:
		c.Status = StatusOK
	}
	return c
}

func commandChecks(r *Release) []Check {
	env := r.Env.BuildEnviron(nil, nil)
	path := ""
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "PATH="); ok {
			path = v
		}
	}
	var checks []Check
	for i, cmd := range r.Config.Build.Commands {
		name := commandLabel(i, cmd)
		prog := "sh"
		if len(cmd.Argv) > 0 {
			prog = cmd.Argv[0]
		}
		c := Check{Name: "command " + name + " exists", Code: CodeBuildCommandExists}
		found, err := lookPath(prog, filepath.Join(r.Config.RootDir(), cmd.Dir), path)
		if err != nil {
			c.Status, c.Detail = StatusFailed, err.Error()
			c.Fix = fmt.Sprintf("install %s on the build machine, or fix [[build.command]] #%d", prog, i+1)
		} else {
			c.Status, c.Detail = StatusOK, found
		}
		checks = append(checks, c)
	}
	return checks
}

// lookPath resolves a program the way exec would for the build's PATH;
// a name with a slash is relative to the command's directory.
func lookPath(prog, dir, path string) (string, error) {
	if strings.Contains(prog, "/") {
		p := prog
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, p)
		}
		st, err := os.Stat(p)
		if err != nil {
			return "", fmt.Errorf("%s: not found", prog)
		}
		if st.IsDir() || st.Mode()&0o111 == 0 {
			return "", fmt.Errorf("%s: not an executable file", prog)
		}
		return p, nil
	}
	for _, d := range filepath.SplitList(path) {
		if d == "" {
			d = "."
		}
		p := filepath.Join(d, prog)
		if st, err := os.Stat(p); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s: not found on PATH", prog)
}

func commandLabel(i int, cmd config.Command) string {
	if cmd.Name != "" {
		return fmt.Sprintf("%q", cmd.Name)
	}
	if len(cmd.Argv) > 0 {
		return fmt.Sprintf("#%d (%s)", i+1, cmd.Argv[0])
	}
	return fmt.Sprintf("#%d (shell)", i+1)
}

func (Build) Run(ctx context.Context, r *Release) (Outcome, error) {
	cfg := r.Config
	out := cfg.OutputDir()
	// Nothing from an earlier build may survive into this one: not a stale
	// artifact that the globs would pick up, not a manifest that a failed
	// build would leave looking valid.
	if err := os.RemoveAll(out); err != nil {
		return Outcome{}, fmt.Errorf("empty output directory %s: %w", out, err)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return Outcome{}, fmt.Errorf("create output directory: %w", err)
	}

	ctx, cancel := context.WithTimeout(ctx, cfg.Build.Timeout.Duration)
	defer cancel()
	epoch, err := sourceDateEpoch(ctx, r)
	if err != nil {
		return Outcome{}, err
	}
	strip := append([]string(nil), cfg.Build.StripEnv...)
	for _, reg := range cfg.Registry {
		if reg.IDTokenEnv != "" {
			strip = append(strip, reg.IDTokenEnv)
		}
	}
	for i, cmd := range cfg.Build.Commands {
		if err := runCommand(ctx, r, i, cmd, strip, epoch); err != nil {
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return Outcome{}, fmt.Errorf("build timed out after %s ([build].timeout): %w", cfg.Build.Timeout.Duration, err)
			}
			return Outcome{}, err
		}
	}

	files, err := artifact.Collect(out, cfg.Build.Artifacts)
	if err != nil {
		return Outcome{}, fmt.Errorf("collect artifacts: %w", err)
	}
	var total int64
	for _, f := range files {
		if st, err := os.Stat(f.Path); err == nil {
			total += st.Size()
		}
	}
	bar := r.UI.Progress(fmt.Sprintf("hashing %d artifacts", len(files)), total)
	arts, err := artifact.HashAll(ctx, files, out, 0, bar.Add)
	bar.Done()
	if err != nil {
		return Outcome{}, fmt.Errorf("hash artifacts: %w", err)
	}
	m := &artifact.Manifest{
		Version:   artifact.SchemaVersion,
		Release:   artifact.Release{Name: cfg.Project.Name, Version: cfg.Project.Version, Tag: r.Tag, Commit: r.Commit},
		Artifacts: arts,
	}
	for _, a := range arts {
		if err := r.Record("build", "artifact", a); err != nil {
			return Outcome{}, err
		}
	}
	if err := m.WriteFile(r.ManifestPath); err != nil {
		return Outcome{}, fmt.Errorf("write manifest: %w", err)
	}
	if err := r.Record("build", "manifest.written", map[string]any{"path": r.ManifestPath, "artifacts": len(arts)}); err != nil {
		return Outcome{}, err
	}
	r.Manifest = m
	printArtifacts(r.UI, arts)
	return Outcome{Summary: fmt.Sprintf("%d artifacts, %s; manifest %s", len(arts), ui.HumanBytes(total), r.ManifestPath)}, nil
}

func printArtifacts(u *ui.UI, arts []artifact.Artifact) {
	rows := make([][]string, len(arts))
	for i, a := range arts {
		rows[i] = []string{a.Name, string(a.Kind), ui.HumanBytes(a.Size), a.Digests.SHA256}
	}
	u.Table([]string{"artifact", "kind", "size", "sha256"}, rows)
}

// sourceDateEpoch gives builds the commit time, so that tools honouring
// SOURCE_DATE_EPOCH produce the same bytes on every rebuild of the tag.
func sourceDateEpoch(ctx context.Context, r *Release) (string, error) {
	if v := r.Env.Get("SOURCE_DATE_EPOCH"); v != "" {
		return v, nil
	}
	t, err := git.Repo{Dir: r.Config.RootDir()}.CommitTime(ctx)
	if err != nil {
		return "", fmt.Errorf("SOURCE_DATE_EPOCH: %w", err)
	}
	return strconv.FormatInt(t.Unix(), 10), nil
}

func runCommand(ctx context.Context, r *Release, i int, c config.Command, strip []string, epoch string) error {
	label := commandLabel(i, c)
	add := map[string]string{
		"RELEASER_OUTPUT_DIR": r.Config.OutputDir(),
		"SOURCE_DATE_EPOCH":   epoch,
	}
	for k, v := range c.Env {
		add[k] = v
	}
	var cmd *exec.Cmd
	if c.Shell != "" {
		cmd = exec.CommandContext(ctx, "sh", "-c", c.Shell)
	} else {
		cmd = exec.CommandContext(ctx, c.Argv[0], c.Argv[1:]...)
	}
	cmd.Dir = filepath.Join(r.Config.RootDir(), c.Dir)
	cmd.Env = r.Env.BuildEnviron(strip, add)
	killGroup(cmd)
	cmd.WaitDelay = 5 * time.Second

	shown := c.Shell
	if shown == "" {
		shown = strings.Join(c.Argv, " ")
	}
	r.UI.Infof("$ %s", shown)
	w, end := r.UI.UntrustedBlock()
	cmd.Stdout, cmd.Stderr = w, w
	start := time.Now()
	err := cmd.Run()
	end()
	code := 0
	if err != nil {
		code = -1
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		}
	}
	if rerr := r.Record("build", "build.command", map[string]any{
		"name": c.Name, "argv": c.Argv, "shell": c.Shell, "dir": c.Dir,
		"exit_code": code, "duration_ms": time.Since(start).Milliseconds(),
	}); rerr != nil {
		return rerr
	}
	if err != nil {
		return fmt.Errorf("build command %s failed: %w", label, err)
	}
	return nil
}

func short(sha string) string {
	if len(sha) > 12 {
		return sha[:12]
	}
	return sha
}
