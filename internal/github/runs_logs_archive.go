package github

import (
	"archive/zip"
	"bufio"
	"cmp"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
)

// A run's log archive holds, per job, its whole log as a top-level "N_job.txt" (N the
// job's ordinal; negative in archives from GitHub's older log service) and the same
// lines again split by step in "job/N_step.txt", plus "job/system.txt" (cli/cli,
// pkg/cmd/run/view/logs.go). Archives lacking either part have been seen (cli/cli
// issues 10551, 7643). Reading both would repeat every line, so a job is read from its
// whole log, or, when the archive has none for it, from its step logs in step order.

// jobLog is one job's log in an archive: one file, or the job's step files.
type jobLog struct {
	order int64 // the whole log's N; jobs known only by their step logs come last
	name  string
	files []*zip.File
}

// jobLogs lists the archive's job logs in GitHub's order.
func jobLogs(zr *zip.Reader) []jobLog {
	type step struct {
		n int64
		f *zip.File
	}
	var jobs []jobLog
	whole := map[string]bool{}
	steps := map[string][]step{}
	for _, f := range zr.File {
		dir, base, nested := strings.Cut(f.Name, "/")
		if !nested {
			if n, name, ok := numberedLog(f.Name); ok {
				jobs = append(jobs, jobLog{order: n, name: name, files: []*zip.File{f}})
				whole[name] = true
			}
			continue
		}
		// "job/system.txt" is the runner's own notes, not a step.
		if n, _, ok := numberedLog(base); ok && dir != "" && !strings.Contains(base, "/") {
			steps[dir] = append(steps[dir], step{n, f})
		}
	}
	for dir, st := range steps {
		if whole[dir] {
			continue
		}
		slices.SortFunc(st, func(a, b step) int { return cmp.Compare(a.n, b.n) })
		jl := jobLog{order: math.MaxInt64, name: dir}
		for _, s := range st {
			jl.files = append(jl.files, s.f)
		}
		jobs = append(jobs, jl)
	}
	slices.SortFunc(jobs, func(a, b jobLog) int { return cmp.Or(cmp.Compare(a.order, b.order), strings.Compare(a.name, b.name)) })
	return jobs
}

// numberedLog splits "N_name.txt" into N and name.
func numberedLog(s string) (int64, string, bool) {
	stem, ok := strings.CutSuffix(s, ".txt")
	if !ok {
		return 0, "", false
	}
	num, name, ok := strings.Cut(stem, "_")
	if !ok || name == "" {
		return 0, "", false
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil {
		return 0, "", false
	}
	return n, name, true
}

// open streams the job's files one after the other.
func (j jobLog) open() io.ReadCloser { return &zipChain{files: j.files} }

// zipChain reads zip entries in turn, opening each only when the one before is done (a
// job may have many steps; each open entry holds a decompressor). The result reads like
// a whole-job log: a file that does not end its last line gets a newline, so it never
// runs into the next file's first line, and a byte order mark survives only at the
// very start.
type zipChain struct {
	files  []*zip.File
	cur    io.Reader
	closer io.Closer
	last   byte // the last byte handed out; 0 before the first
}

func (z *zipChain) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	for {
		if z.cur == nil {
			if len(z.files) == 0 {
				return 0, io.EOF
			}
			if z.last != 0 && z.last != '\n' {
				z.last, p[0] = '\n', '\n'
				return 1, nil
			}
			rc, err := z.files[0].Open()
			if err != nil {
				return 0, err
			}
			z.cur, z.closer, z.files = rc, rc, z.files[1:]
			if z.last != 0 {
				// bufio passes large reads straight through; 16 bytes is its least.
				br := bufio.NewReaderSize(rc, 16)
				if b, _ := br.Peek(len(utf8BOM)); string(b) == utf8BOM {
					br.Discard(len(utf8BOM))
				}
				z.cur = br
			}
		}
		n, err := z.cur.Read(p)
		if n > 0 {
			z.last = p[n-1]
		}
		if err == io.EOF {
			err = z.closeCurrent()
			if n == 0 && err == nil {
				continue
			}
		}
		return n, err
	}
}

func (z *zipChain) Close() error {
	z.files = nil
	return z.closeCurrent()
}

func (z *zipChain) closeCurrent() error {
	if z.closer == nil {
		return nil
	}
	err := z.closer.Close()
	z.cur, z.closer = nil, nil
	return err
}

const utf8BOM = "\ufeff"
