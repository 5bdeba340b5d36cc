package stages

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/releaserhq/releaser/internal/artifact"
	"github.com/releaserhq/releaser/internal/github"
	"github.com/releaserhq/releaser/internal/ui"
)

// sumsName is the checksum file attached to every GitHub release, in the
// format `sha256sum -c` reads.
const sumsName = "SHA256SUMS"

func uiBytes(n int64) string { return ui.HumanBytes(n) }

// githubToken is the token the workflow passes to releaser for the release
// (`env: GITHUB_TOKEN: ${{ github.token }}` with contents: write).
func (r *Release) githubToken() string {
	if t := r.Env.Get("GITHUB_TOKEN"); t != "" {
		return t
	}
	return r.Env.Get("GH_TOKEN")
}

func (r *Release) githubRepo() (owner, repo string, ok bool) {
	full := r.Config.GitHub.Repository
	if full == "" {
		full = r.Env.Get("GITHUB_REPOSITORY")
	}
	owner, repo, ok = strings.Cut(full, "/")
	return owner, repo, ok && owner != "" && repo != ""
}

func (r *Release) githubAPI() string {
	if r.Config.GitHub.APIURL != "" && r.Config.GitHub.APIURL != "https://api.github.com" {
		return r.Config.GitHub.APIURL
	}
	if u := r.Env.Get("GITHUB_API_URL"); u != "" {
		return u
	}
	return "https://api.github.com"
}

func (r *Release) githubChecks() []Check {
	if !*r.Config.GitHub.Release {
		return []Check{{Name: "GitHub release", Code: CodePublishGitHubRelease, Status: StatusSkipped, Detail: "[github].release = false"}}
	}
	var checks []Check
	if owner, repo, ok := r.githubRepo(); ok {
		checks = append(checks, Check{Name: "GitHub repository", Code: CodePublishGitHubRepository, Status: StatusOK, Detail: owner + "/" + repo + " at " + r.githubAPI()})
	} else if !r.Env.InCI() {
		checks = append(checks, Check{Name: "GitHub repository", Code: CodePublishGitHubRepository, Status: StatusNeedsCI, Detail: "GITHUB_REPOSITORY of the release job (or set repository under [github])"})
	} else {
		checks = append(checks, Check{Name: "GitHub repository", Code: CodePublishGitHubRepository, Status: StatusFailed, Detail: "unknown",
			Fix: `set repository = "owner/name" under [github] (or [identity])`})
	}
	c := Check{Name: "GitHub token", Code: CodePublishGitHubToken}
	switch {
	case r.githubToken() != "":
		c.Status, c.Detail = StatusOK, "from the environment"
	case r.Env.InCI():
		c.Status, c.Detail = StatusFailed, "GITHUB_TOKEN is not set for releaser"
		c.Fix = "pass `env: GITHUB_TOKEN: ${{ github.token }}` to the releaser step, and give the job `permissions: contents: write`"
	default:
		c.Status, c.Detail = StatusNeedsToken, "the release job passes GITHUB_TOKEN (contents: write)"
	}
	checks = append(checks, c)
	t := Check{Name: "release tag", Code: CodePublishReleaseTag}
	if r.Tag != "" {
		t.Status, t.Detail = StatusOK, r.Tag
	} else {
		t.Status, t.Detail = StatusNeedsCI, "the release is made for the tag the workflow runs on"
	}
	return append(checks, t)
}

func (r *Release) githubPlan(m *artifact.Manifest) []string {
	if !*r.Config.GitHub.Release {
		return nil
	}
	owner, repo, _ := r.githubRepo()
	return []string{fmt.Sprintf("find or create the draft GitHub release %s in %s/%s and attach %d artifact(s) and %s, skipping assets already there with the same digest",
		or(r.Tag, r.Config.Tag()), owner, repo, len(m.Artifacts), sumsName)}
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// githubTarget is the GitHub release a publish attaches assets to.
type githubTarget struct {
	r           *Release
	c           *github.Client
	owner, repo string
	files       []assetFile
}

func (r *Release) githubTarget(m *artifact.Manifest) (*githubTarget, error) {
	owner, repo, ok := r.githubRepo()
	if !ok {
		return nil, fmt.Errorf("GitHub release: no repository: set repository under [github]")
	}
	if r.Tag == "" {
		return nil, fmt.Errorf("GitHub release: no release tag (run from a tag push, or pass --tag)")
	}
	c, err := r.githubClient(false)
	if err != nil {
		return nil, fmt.Errorf("GitHub release: %w: pass `env: GITHUB_TOKEN: ${{ github.token }}` to the releaser step", err)
	}
	sums, err := r.writeSums(m)
	if err != nil {
		return nil, err
	}
	files := append(r.assetFiles(m), sums)
	if *r.Config.Attest.Enabled {
		for _, b := range r.bundleFiles() {
			f, err := fileAsset(b)
			if err != nil {
				return nil, err
			}
			files = append(files, f)
		}
	}
	return &githubTarget{r: r, c: c, owner: owner, repo: repo, files: files}, nil
}

// preflight looks at the release for the tag, if there is one, without
// changing anything: an asset with the same name and another digest, or a
// release already published without some of the files, would stop the
// publish half-way, so it is found before any registry upload.
func (g *githubTarget) preflight(ctx context.Context) ([]string, error) {
	rel, err := g.c.FindRelease(ctx, g.owner, g.repo, g.r.Tag)
	if err != nil {
		return nil, &RemoteError{Service: "GitHub", Err: fmt.Errorf("look for the release %s: %w", g.r.Tag, err)}
	}
	if rel == nil {
		return nil, nil
	}
	have := map[string]github.Asset{}
	for _, a := range rel.Assets {
		have[a.Name] = a
	}
	var conflicts []string
	for _, f := range g.files {
		a, ok := have[f.name]
		switch {
		case ok && isBundle(f.name):
			// An earlier run's provenance for the same release: kept (a
			// re-signed bundle differs byte for byte, never in meaning).
		case ok && a.Digest != "" && a.State == "uploaded" && !strings.EqualFold(a.Digest, "sha256:"+f.sha256):
			conflicts = append(conflicts, fmt.Sprintf("GitHub release %s has %s with %s, built %s", rel.Tag, f.name, a.Digest, "sha256:"+f.sha256))
		case !ok && !rel.Draft:
			conflicts = append(conflicts, fmt.Sprintf("GitHub release %s is already published without %s (a published release cannot be changed)", rel.Tag, f.name))
		}
	}
	return conflicts, nil
}

// publishGitHub attaches every artifact and SHA256SUMS to the draft release
// for the tag. Publishing the draft is the finalize stage's job.
func (r *Release) publishGitHub(ctx context.Context, g *githubTarget) ([][]string, error) {
	notes, err := r.releaseNotes()
	if err != nil {
		return nil, err
	}
	rel, err := g.c.DraftRelease(ctx, g.owner, g.repo, r.Tag, r.Tag, notes, r.Config.GitHub.Prerelease)
	if err != nil {
		return nil, &RemoteError{Service: "GitHub", Err: fmt.Errorf("find or create the draft release %s: %w", r.Tag, err)}
	}
	r.GitHubRelease = rel
	if err := r.Record("publish", "publish.release", map[string]any{"tag": rel.Tag, "id": rel.ID, "draft": rel.Draft, "url": rel.HTMLURL}); err != nil {
		return nil, err
	}
	var rows [][]string
	present := map[string]github.Asset{}
	for _, a := range rel.Assets {
		if a.State == "uploaded" {
			present[a.Name] = a
		}
	}
	for _, f := range g.files {
		if a, ok := present[f.name]; ok && isBundle(f.name) {
			rows = append(rows, []string{f.name, "GitHub release", "already there", a.URL})
			continue
		}
		// The bar starts with the first byte sent: an asset already there
		// is not "attached" at 0 B/s.
		bar := &lazyProgress{start: func() ui.Progress {
			return r.UI.Progress(fmt.Sprintf("attaching %s to the GitHub release", f.name), f.size)
		}}
		a, uploaded, err := g.c.EnsureAsset(ctx, rel, f.name, f.path, f.size, f.sha256, bar.update)
		bar.done()
		if err != nil {
			rows = append(rows, []string{f.name, "GitHub release", "failed", ""})
			return rows, &RemoteError{Service: "GitHub", Err: fmt.Errorf("attach %s to release %s: %w; run releaser again to finish", f.name, rel.Tag, err)}
		}
		outcome := "uploaded"
		if !uploaded {
			outcome = "already there"
		}
		rows = append(rows, []string{f.name, "GitHub release", outcome, a.URL})
		if err := r.Record("publish", "publish.asset", map[string]any{
			"release": rel.Tag, "asset": f.name, "sha256": f.sha256, "size": f.size, "outcome": strings.ReplaceAll(outcome, " ", "_"), "url": a.URL,
		}); err != nil {
			return rows, err
		}
	}
	return rows, nil
}

// fileAsset describes a small file (a bundle) to attach.
func fileAsset(path string) (assetFile, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return assetFile{}, err
	}
	sum := sha256.Sum256(b)
	return assetFile{name: filepath.Base(path), path: path, sha256: hex.EncodeToString(sum[:]), size: int64(len(b))}, nil
}

// lazyProgress turns cumulative byte counts (which restart at 0 when an
// upload is re-sent) into a progress display started on the first byte.
type lazyProgress struct {
	start func() ui.Progress
	p     ui.Progress
	last  int64
}

func (l *lazyProgress) update(sent int64) {
	if sent <= 0 {
		return
	}
	if l.p == nil {
		l.p = l.start()
	}
	if sent > l.last {
		l.p.Add(sent - l.last)
	}
	l.last = sent
}

func (l *lazyProgress) done() {
	if l.p != nil {
		l.p.Done()
	}
}

type assetFile struct {
	name, path, sha256 string
	size               int64
}

func (r *Release) assetFiles(m *artifact.Manifest) []assetFile {
	out := make([]assetFile, 0, len(m.Artifacts)+1)
	for _, a := range m.Artifacts {
		out = append(out, assetFile{name: a.Name, path: filepath.Join(dirOf(r.ManifestPath), filepath.FromSlash(a.Path)), sha256: a.Digests.SHA256, size: a.Size})
	}
	return out
}

// sumsContent is SHA256SUMS for the manifest, and its own sha256.
func sumsContent(m *artifact.Manifest) (string, string) {
	arts := append([]artifact.Artifact(nil), m.Artifacts...)
	sort.Slice(arts, func(i, j int) bool { return arts[i].Name < arts[j].Name })
	var b strings.Builder
	for _, a := range arts {
		fmt.Fprintf(&b, "%s  %s\n", a.Digests.SHA256, a.Name)
	}
	sum := sha256.Sum256([]byte(b.String()))
	return b.String(), hex.EncodeToString(sum[:])
}

// writeSums writes SHA256SUMS into the state directory (not the output
// directory, whose contents the manifest describes exactly).
func (r *Release) writeSums(m *artifact.Manifest) (assetFile, error) {
	content, sum := sumsContent(m)
	p := filepath.Join(r.Config.StateDir(), sumsName)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return assetFile{}, err
	}
	if err := artifact.WriteAtomic(p, []byte(content)); err != nil {
		return assetFile{}, fmt.Errorf("write %s: %w", sumsName, err)
	}
	return assetFile{name: sumsName, path: p, sha256: sum, size: int64(len(content))}, nil
}

func (r *Release) releaseNotes() (string, error) {
	g := r.Config.GitHub
	if g.NotesFile == "" {
		return g.Notes, nil
	}
	p := filepath.Join(r.Config.RootDir(), filepath.FromSlash(g.NotesFile))
	b, err := os.ReadFile(p)
	if err != nil {
		return "", fmt.Errorf("[github].notes_file: %w", err)
	}
	return string(b), nil
}
