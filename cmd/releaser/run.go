package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/releaserhq/releaser/internal/stages"
	"github.com/releaserhq/releaser/internal/ui"
)

const runSynopsis = `releaser run — run the release pipeline: build, attest, approve, exchange, publish, finalize.

Each stage first checks its preconditions (read-only) and runs only if all of
them hold; the first failure stops the pipeline. With --dry-run, local effects
happen (the build, hashing, the manifest, the audit log) and remote effects are
printed as a plan, never performed.

Usage: releaser run [flags]`

const runExamples = `  # what would a release of the shipped example do?
  releaser run --dry-run --config release.toml.example

  # in the release workflow (tag push), the real thing:
  releaser run

  # only build, then continue from attest in another job:
  releaser run --to build
  releaser run --from attest

  # machine-readable result:
  releaser run --dry-run --json | jq '.stages[] | {name, result}'
`

// runResult is the --json document of run and check.
type runResult struct {
	Command  string               `json:"command"`
	OK       bool                 `json:"ok"`
	ExitCode int                  `json:"exit_code"`
	DryRun   bool                 `json:"dry_run"`
	Release  releaseInfo          `json:"release"`
	Stages   []stages.StageResult `json:"stages"`
	Error    string               `json:"error,omitempty"`
	Manifest string               `json:"manifest,omitempty"`
	AuditLog string               `json:"audit_log,omitempty"`
	// Links and Verify end a release: where to see it, how to check it.
	Links  []stages.Link `json:"links,omitempty"`
	Verify []string      `json:"verify,omitempty"`
	// Counts (check only) tallies the preconditions by status.
	Counts map[stages.Status]int `json:"counts,omitempty"`
}

type releaseInfo struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Tag     string `json:"tag"`
	Commit  string `json:"commit,omitempty"`
}

func (a *app) run(ctx context.Context, args []string) int {
	var f commonFlags
	var dryRun bool
	var sel stages.Selection
	fs := newFlags("run", runSynopsis, runExamples, a.stdout)
	f.register(fs)
	fs.BoolVar(&dryRun, "dry-run", false, "perform local effects only; print remote effects as a plan")
	fs.StringVar(&sel.From, "from", "", "first stage to run ("+strings.Join(stages.Order, ", ")+")")
	fs.StringVar(&sel.To, "to", "", "last stage to run")
	fs.StringVar(&sel.Only, "only", "", "run just this stage")
	if err := parse(fs, args); err != nil {
		return a.exit(err)
	}
	if fs.NArg() > 0 {
		return a.exit(usagef("run takes no arguments, got %q (see releaser run --help)", fs.Args()))
	}
	selected, err := stages.Select(stages.All(), sel)
	if err != nil {
		return a.exit(usagef("%v", err))
	}
	u := a.newUI(f.json)
	r, err := a.prepare(ctx, f, dryRun, u)
	if err != nil {
		return a.exit(err)
	}
	if err := a.openAudit(r, f.json); err != nil {
		return a.exit(err)
	}
	defer r.Log.Close()

	mode := "release"
	if dryRun {
		mode = "dry run"
	}
	tag := r.Tag
	if tag == "" {
		tag = "(no tag: " + r.Config.Tag() + " expected)"
	}
	u.Infof("releaser %s: %s %s, tag %s", mode, r.Config.Project.Name, r.Config.Project.Version, tag)

	rep := stages.Run(ctx, r, selected)
	res := runResult{
		Command: "run", OK: rep.ExitCode == 0, ExitCode: rep.ExitCode, DryRun: dryRun,
		Release:  releaseInfo{Name: r.Config.Project.Name, Version: r.Config.Project.Version, Tag: r.Tag, Commit: r.Commit},
		Stages:   rep.Stages,
		AuditLog: r.Log.Path(),
		Links:    r.Links,
		Verify:   r.VerifyCommands,
	}
	if r.Manifest != nil {
		res.Manifest = r.ManifestPath
	}
	if rep.Err != nil {
		res.Error = rep.Err.Error()
	}
	a.finish(u, r, res)
	return rep.ExitCode
}

// finish prints the closing report in the mode's form and hands results to
// GitHub Actions (step summary, outputs).
func (a *app) finish(u *ui.UI, r *stages.Release, res runResult) {
	if u.Mode() == ui.ModeJSON {
		_ = writeJSON(u.RawStdout(), res)
	} else {
		rows := make([][]string, len(res.Stages))
		for i, s := range res.Stages {
			note := s.Summary
			if s.Error != "" {
				note = s.Error
			}
			rows[i] = []string{s.Name, s.Result, ui.FormatDuration(time.Duration(s.DurationMS) * time.Millisecond), note}
		}
		u.Infof("")
		u.Table([]string{"stage", "result", "time", "notes"}, rows)
		if res.Manifest != "" {
			u.Infof("manifest:  %s", res.Manifest)
		}
		u.Infof("audit log: %s", res.AuditLog)
		for _, l := range res.Links {
			u.Infof("%s: %s", l.Label, l.URL)
		}
		if len(res.Verify) > 0 {
			u.Infof("verify it with:")
			for _, c := range res.Verify {
				u.Infof("  %s", c)
			}
		}
		switch {
		case res.OK && res.DryRun:
			u.Infof("dry run finished: nothing was sent anywhere")
		case res.OK:
			u.Infof("release finished")
		default:
			u.Errorf("%s", res.Error)
		}
	}
	if err := u.AppendSummary(summaryMarkdown(r, res)); err != nil {
		u.Warnf("step summary: %v", err)
	}
	outs := stepOutputs(r, res)
	for _, name := range actionOutputs {
		if err := u.SetOutput(name, outs[name]); err != nil {
			u.Warnf("output %s: %v", name, err)
		}
	}
}

// actionOutputs are the step outputs `releaser run` sets under GitHub
// Actions; action.yml declares exactly these (a test holds them together).
var actionOutputs = []string{"result", "release-url", "artifacts", "manifest", "audit-log"}

// stepOutputs are the values of actionOutputs.
func stepOutputs(r *stages.Release, res runResult) map[string]string {
	var releaseURL string
	for _, l := range res.Links {
		if l.Label == "GitHub release" {
			releaseURL = l.URL
		}
	}
	arts, _ := json.Marshal(artifactOutputs(r))
	return map[string]string{
		"result":      resultWord(res),
		"release-url": releaseURL,
		"artifacts":   string(arts),
		"manifest":    res.Manifest,
		"audit-log":   res.AuditLog,
	}
}

// artifactOutput is one element of the "artifacts" output.
type artifactOutput struct {
	Name      string                 `json:"name"`
	Size      int64                  `json:"size"`
	SHA256    string                 `json:"sha256"`
	Published []stages.PublishedFile `json:"published"`
}

func artifactOutputs(r *stages.Release) []artifactOutput {
	out := []artifactOutput{}
	if r.Manifest == nil {
		return out
	}
	for _, a := range r.Manifest.Artifacts {
		o := artifactOutput{Name: a.Name, Size: a.Size, SHA256: a.Digests.SHA256, Published: []stages.PublishedFile{}}
		for _, p := range r.Published {
			if p.Artifact == a.Name {
				o.Published = append(o.Published, p)
			}
		}
		out = append(out, o)
	}
	return out
}

func resultWord(res runResult) string {
	if res.OK {
		return "ok"
	}
	return "failed"
}

// summaryMarkdown is the GitHub step summary; every string that did not come
// from releaser itself is escaped.
func summaryMarkdown(r *stages.Release, res runResult) string {
	var b strings.Builder
	title := "Release"
	if res.DryRun {
		title = "Release dry run"
	}
	fmt.Fprintf(&b, "## %s: %s %s\n\n", title, ui.MarkdownEscape(res.Release.Name), ui.MarkdownEscape(res.Release.Version))
	if res.Release.Tag != "" {
		fmt.Fprintf(&b, "Tag %s", ui.MarkdownEscape(res.Release.Tag))
		if res.Release.Commit != "" {
			fmt.Fprintf(&b, " at `%s`", res.Release.Commit)
		}
		b.WriteString("\n\n")
	}
	b.WriteString("| stage | result | notes |\n|---|---|---|\n")
	for _, s := range res.Stages {
		note := s.Summary
		if s.Error != "" {
			note = s.Error
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", s.Name, s.Result, ui.MarkdownEscape(note))
	}
	if r.Manifest != nil {
		b.WriteString("\n| artifact | size | sha256 |\n|---|---|---|\n")
		for _, art := range r.Manifest.Artifacts {
			fmt.Fprintf(&b, "| %s | %s | `%s` |\n", ui.MarkdownEscape(art.Name), ui.HumanBytes(art.Size), art.Digests.SHA256)
		}
	}
	if res.Error != "" {
		fmt.Fprintf(&b, "\n**Failed:** %s\n", ui.MarkdownEscape(res.Error))
	}
	if len(res.Links) > 0 {
		b.WriteString("\n")
		for _, l := range res.Links {
			fmt.Fprintf(&b, "- %s: %s\n", ui.MarkdownEscape(l.Label), ui.MarkdownEscape(l.URL))
		}
	}
	if len(res.Verify) > 0 {
		b.WriteString("\nVerify:\n\n```sh\n" + strings.Join(res.Verify, "\n") + "\n```\n")
	}
	return b.String()
}
