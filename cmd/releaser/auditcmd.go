package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/releaserhq/releaser/internal/audit"
	"github.com/releaserhq/releaser/internal/config"
	"github.com/releaserhq/releaser/internal/github"
	"github.com/releaserhq/releaser/internal/ui"
	"github.com/schollz/progressbar/v3"
)

const auditSynopsis = `releaser audit — prove, from the logs, what past releases did.

Reads audit logs (files, directories of *.jsonl, globs) and, with --repo, the
logs GitHub keeps of the release workflow's runs (releaser mirrors every event
into the job log). Each log's hash chain is verified before a line of it is
believed; then every release is judged by named rules — stages-in-order,
digests-match, attested, approvals, tokens, immutable, crates-revoked,
no-dangerous-events, log-complete — each pass / fail / n/a with the evidence
(source:line). --live adds what the registries and the GitHub release serve
today against the logged digests. Exits 1 when a chain is broken or a rule
fails.

Policy (workflow, environment, allowed events, required approvals, ref pattern)
comes from release.toml when there is one.

Usage: releaser audit [flags] [FILE|DIR|GLOB...]`

const auditExamples = `  releaser audit .releaser/audit.jsonl
  releaser audit --markdown logs/ >> "$GITHUB_STEP_SUMMARY"
  releaser audit --repo octo-org/octo-repo --workflow release.yml --since 2026-01-01 --json
  releaser audit --repo octo-org/octo-repo --run 10123456789
`

func (a *app) audit(ctx context.Context, args []string) error {
	var jsonOut, markdown, live bool
	var cfgPath, repo, workflow, since, run string
	fs := newFlags("audit", auditSynopsis, auditExamples, a.stdout)
	fs.BoolVar(&jsonOut, "json", false, "print the report as JSON (schema: internal/audit Report.JSON)")
	fs.BoolVar(&markdown, "markdown", false, "print the report as Markdown (a step summary, an issue)")
	fs.StringVar(&cfgPath, "config", "release.toml", "release configuration to take the policy from, when present")
	fs.StringVar(&repo, "repo", "", "read the logs GitHub keeps for this repository (owner/name)")
	fs.StringVar(&workflow, "workflow", "", "with --repo: the release workflow file (default [identity].workflow, else release.yml)")
	fs.StringVar(&since, "since", "", "with --repo: only runs created on or after this date (YYYY-MM-DD)")
	fs.StringVar(&run, "run", "", "with --repo: only this run id")
	fs.BoolVar(&live, "live", false, "also compare what the registries and the GitHub release serve today with the logged digests")
	if err := parse(fs, args); err != nil {
		return err
	}
	if jsonOut && markdown {
		return usagef("audit: --json and --markdown cannot be combined")
	}
	if fs.NArg() == 0 && repo == "" {
		return usagef("audit: name audit log files or directories, or --repo (see releaser audit --help)")
	}
	var policy audit.Policy
	var cfg *config.Config
	if c, err := config.Load(cfgPath); err == nil {
		cfg = c
		policy = audit.Policy{Workflow: c.Identity.Workflow, Environment: c.Identity.Environment,
			AllowedEvents: c.Identity.AllowedEvents, RequiredApprovals: c.Approval.Required, RefPattern: c.Identity.RefPattern}
		workflow = orDefault(workflow, c.Identity.Workflow)
	}
	files, err := auditFiles(fs.Args())
	if err != nil {
		return err
	}
	format := audit.FormatText
	switch {
	case jsonOut:
		format = audit.FormatJSON
	case markdown:
		format = audit.FormatMarkdown
	}
	var failed bool
	if repo == "" {
		failed, err = a.auditLocal(ctx, files, policy, live, cfg, format)
	} else {
		failed, err = a.auditWithRepo(ctx, files, policy, live, cfg, format, repo, orDefault(workflow, "release.yml"), since, run)
	}
	if err != nil {
		return err
	}
	if failed {
		return errors.New("audit: a log is broken or a release broke a rule (see the report)")
	}
	return nil
}

// auditLocal audits log files alone: streamed (audit.AuditFiles), so memory
// does not grow with the number of releases.
func (a *app) auditLocal(ctx context.Context, files []string, policy audit.Policy, live bool, cfg *config.Config, format audit.Format) (bool, error) {
	rw := audit.NewReportWriter()
	defer rw.Close()
	opts := audit.FilesOptions{Policy: policy}
	if live {
		opts.Judged = func(rel *audit.ReleaseRecord, findings []audit.Finding) []audit.Finding {
			return append(findings, a.liveFinding(ctx, rel, cfg))
		}
	}
	chains := audit.AuditFiles(files, opts, rw)
	if err := rw.Render(a.stdout, format, chains, false); err != nil {
		return false, err
	}
	failed := rw.Failed()
	for _, c := range chains {
		failed = failed || !c.OK
	}
	return failed, nil
}

// auditWithRepo audits files and the run logs GitHub keeps together: they may
// hold copies of the same runs, judged once. The run logs are bounded by
// what GitHub keeps, so everything is held in memory and judged at the end.
func (a *app) auditWithRepo(ctx context.Context, files []string, policy audit.Policy, live bool, cfg *config.Config, format audit.Format, repo, workflow, since, run string) (bool, error) {
	// Memory-bound rather than CPU-bound: collect garbage earlier than Go's
	// default (100%) so the heap stays closer to what is live.
	defer debug.SetGCPercent(debug.SetGCPercent(40))
	col := audit.NewCollector()
	var chains []audit.ChainResult
	for _, f := range files {
		chains = append(chains, readAuditFile(f, col))
	}
	got, err := a.auditRepo(ctx, cfg, repo, workflow, since, run, col)
	if err != nil {
		return false, err
	}
	chains = append(chains, got...)
	releases := col.Releases()
	rep := audit.NewReport(releases, chains, policy)
	if live {
		a.auditLive(ctx, &rep, releases, cfg)
	}
	switch format {
	case audit.FormatJSON:
		err = rep.JSON(a.stdout)
	case audit.FormatMarkdown:
		err = rep.Markdown(a.stdout)
	default:
		err = rep.Text(a.stdout)
	}
	return rep.Failed, err
}

// auditFiles expands the arguments: directories to the *.jsonl files under
// them, globs to their matches, in a stable order.
func auditFiles(args []string) ([]string, error) {
	var out []string
	for _, arg := range args {
		matches := []string{arg}
		if strings.ContainsAny(arg, "*?[") {
			m, err := filepath.Glob(arg)
			if err != nil {
				return nil, usagef("audit: bad pattern %q: %v", arg, err)
			}
			if len(m) == 0 {
				return nil, usagef("audit: %q matches no file", arg)
			}
			matches = m
		}
		for _, p := range matches {
			fi, err := os.Stat(p)
			if err != nil {
				return nil, fmt.Errorf("audit: %w", err)
			}
			if !fi.IsDir() {
				out = append(out, p)
				continue
			}
			var found []string
			err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
				if err == nil && !d.IsDir() && strings.HasSuffix(path, ".jsonl") {
					found = append(found, path)
				}
				return err
			})
			if err != nil {
				return nil, fmt.Errorf("audit: %w", err)
			}
			if len(found) == 0 {
				return nil, usagef("audit: no *.jsonl audit log under %s", p)
			}
			sort.Strings(found)
			out = append(out, found...)
		}
	}
	return out, nil
}

// readAuditFile verifies a log's chain, then — only if it holds — streams its
// events into the collector.
func readAuditFile(path string, col *audit.Collector) audit.ChainResult {
	res := audit.ChainResult{Source: path}
	sum, err := audit.VerifyFile(path)
	res.Events = sum.Events
	if err != nil {
		res.Error = err.Error()
		return res
	}
	f, err := os.Open(path)
	if err != nil {
		res.Error = err.Error()
		return res
	}
	defer f.Close()
	res.Events = 0
	if err := audit.Read(f, func(line int, e audit.Event) error {
		res.Events++
		col.Add(path, line, e)
		return nil
	}); err != nil {
		res.Error = err.Error()
		return res
	}
	res.OK = true
	return res
}

// auditRepo reads the release workflow's run logs from GitHub: the runs are
// listed, each run's log archive is streamed (a few at a time), and the
// audit lines releaser mirrored into each job's log are verified as a chain.
func (a *app) auditRepo(ctx context.Context, cfg *config.Config, full, workflow, since, runFilter string, col *audit.Collector) ([]audit.ChainResult, error) {
	owner, repo, ok := strings.Cut(full, "/")
	if !ok || owner == "" || repo == "" {
		return nil, usagef("audit: --repo %q is not owner/name", full)
	}
	var after time.Time
	if since != "" {
		t, err := time.Parse("2006-01-02", since)
		if err != nil {
			return nil, usagef("audit: --since %q is not a date like 2026-01-31", since)
		}
		after = t
	}
	c, err := a.auditGitHub(cfg)
	if err != nil {
		return nil, fmt.Errorf("audit: --repo: %w (a token with actions: read)", err)
	}
	runs, err := c.WorkflowRuns(ctx, owner, repo, workflow, after)
	if err != nil {
		return nil, fmt.Errorf("audit: list the runs of %s: %w", workflow, err)
	}
	if runFilter != "" {
		id, err := strconv.ParseInt(runFilter, 10, 64)
		if err != nil {
			return nil, usagef("audit: --run %q is not a run id", runFilter)
		}
		var keep []github.WorkflowRun
		for _, r := range runs {
			if r.ID == id {
				keep = append(keep, r)
			}
		}
		runs = keep
	}
	fmt.Fprintf(a.stderr, "reading the logs of %d run(s) of %s in %s\n", len(runs), workflow, full)
	// A bar on a terminal; a line per run in CI logs.
	var bar *progressbar.ProgressBar
	if ui.Detect(false, a.stderr, a.env.Get) == ui.ModeTTY {
		bar = progressbar.NewOptions(len(runs), progressbar.OptionSetWriter(a.stderr),
			progressbar.OptionSetDescription("run logs"), progressbar.OptionShowCount(), progressbar.OptionClearOnFinish())
		defer bar.Finish()
	}
	var mu sync.Mutex
	var results []audit.ChainResult
	done := 0
	sem := make(chan struct{}, 4) // GitHub's secondary limits favour few concurrent downloads
	var wg sync.WaitGroup
	for _, run := range runs {
		wg.Add(1)
		sem <- struct{}{}
		go func(run github.WorkflowRun) {
			defer wg.Done()
			defer func() { <-sem }()
			var local []audit.ChainResult
			var events []sourcedEvent
			err := c.RunLogs(ctx, owner, repo, run.ID, func(job string, rd io.Reader) error {
				src := fmt.Sprintf("run %d job %s", run.ID, job)
				res, evs := readJobLog(src, rd)
				if res.Events > 0 || !res.OK {
					local = append(local, res)
				}
				events = append(events, evs...)
				return nil
			})
			if errors.Is(err, github.ErrLogsExpired) {
				local = append(local, audit.ChainResult{Source: fmt.Sprintf("run %d (logs expired: GitHub no longer keeps them)", run.ID), OK: true})
			} else if err != nil {
				local = append(local, audit.ChainResult{Source: fmt.Sprintf("run %d", run.ID), Error: err.Error()})
			}
			mu.Lock()
			defer mu.Unlock()
			done++
			if bar != nil {
				_ = bar.Add(1)
			} else {
				fmt.Fprintf(a.stderr, "  run %d: %d audit event(s) (%d of %d runs read)\n", run.ID, len(events), done, len(runs))
			}
			results = append(results, local...)
			for _, e := range events {
				col.Add(e.source, e.line, e.event)
			}
		}(run)
	}
	wg.Wait()
	sort.Slice(results, func(i, j int) bool { return results[i].Source < results[j].Source })
	return results, nil
}

// auditGitHub is the GitHub client of an audit: the token from GITHUB_TOKEN
// or GH_TOKEN, the API from [github].api_url when set, else GITHUB_API_URL,
// else github.com.
func (a *app) auditGitHub(cfg *config.Config) (*github.Client, error) {
	token := orDefault(a.env.Get("GITHUB_TOKEN"), a.env.Get("GH_TOKEN"))
	if token == "" {
		return nil, fmt.Errorf("%w: no GITHUB_TOKEN or GH_TOKEN", errCannotAsk)
	}
	api := a.env.Get("GITHUB_API_URL")
	if cfg != nil && cfg.GitHub.APIURL != "" && cfg.GitHub.APIURL != config.DefaultGitHubAPI {
		api = cfg.GitHub.APIURL
	}
	return github.New(orDefault(api, config.DefaultGitHubAPI), token, nil, "releaser audit")
}

type sourcedEvent struct {
	source string
	line   int
	event  audit.Event
}

// readJobLog extracts the mirrored audit lines of one job log and verifies
// them as a chain; a job whose first line continues an earlier log (the
// state directory came from the build job) is verified from there on.
func readJobLog(source string, rd io.Reader) (audit.ChainResult, []sourcedEvent) {
	res := audit.ChainResult{Source: source, OK: true}
	var chain *audit.Chain
	var out []sourcedEvent
	sc := bufio.NewScanner(rd)
	sc.Buffer(make([]byte, 64<<10), audit.MaxLineSize+256)
	n := 0
	for sc.Scan() {
		n++
		line, ok := audit.ExtractLine(sc.Text())
		if !ok {
			continue
		}
		if chain == nil {
			var head struct {
				Seq  int64  `json:"seq"`
				Prev string `json:"prev"`
			}
			_ = json.Unmarshal([]byte(line), &head)
			chain = &audit.Chain{}
			if head.Seq > 1 {
				chain = audit.ContinueChain(head.Seq-1, head.Prev)
			}
		}
		e, err := chain.Next([]byte(line))
		if err != nil {
			res.OK, res.Error = false, fmt.Sprintf("log line %d: %v", n, err)
			return res, nil
		}
		res.Events++
		out = append(out, sourcedEvent{source: source, line: n, event: e})
	}
	if err := sc.Err(); err != nil {
		res.OK, res.Error = false, err.Error()
		return res, nil
	}
	return res, out
}
