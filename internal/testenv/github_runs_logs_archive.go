package testenv

import (
	"archive/zip"
	"bufio"
	"compress/flate"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"
	"unicode/utf16"
)

// A run's log archive is laid out as GitHub's (as gh reads it, cli/cli
// pkg/cmd/run/view/logs.go, and as seen in downloaded archives):
//
//	0_build.txt            the whole log of job "build"
//	1_publish.txt          the whole log of job "publish"
//	build/1_Set up job.txt the log of each step of "build", numbered from 1
//	build/2_Run releaser.txt
//	build/3_Complete job.txt
//	build/system.txt
//	publish/...
//
// Every line starts with a UTC timestamp with seven fractional digits and a space
// ("2026-11-25T10:00:00.1234567Z "); each file starts with a UTF-8 byte order mark, as
// GitHub's do. Entries carry no modification time (unzip shows 1980-00-00). Job and
// step names lose "/" and ":" and are cut to 90 UTF-16 units, as GitHub's server does
// to fit zip paths (what else it changes is UNCONFIRMED).

const (
	ghLogTimeLayout = "2006-01-02T15:04:05.0000000Z"
	ghLogNameMax    = 90
	ghLogBOM        = "\ufeff"
	// ghLogLineStep spaces the lines' timestamps: GitHub's have 100 ns resolution.
	ghLogLineStep = 1234500 * time.Nanosecond
)

// ghLogStep is one step of a job and the lines it printed.
type ghLogStep struct {
	name  string
	lines []string
}

// writeRunLogArchive spools run's log archive into dir, jobs in name order (GitHub
// numbers them in the order the run started them).
func writeRunLogArchive(dir string, run EmuWorkflowRun, jobs map[string][]string) (path string, err error) {
	f, err := os.CreateTemp(dir, "run-logs-*.zip")
	if err != nil {
		return "", err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(f.Name())
		}
	}()
	bw := bufio.NewWriterSize(f, 1<<16)
	zw := zip.NewWriter(bw)
	// The fastest level keeps tests with tens of MB of log quick; any level reads back.
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(w, flate.BestSpeed)
	})
	names := make([]string, 0, len(jobs))
	for name := range jobs {
		names = append(names, name)
	}
	slices.Sort(names)
	start := run.CreatedAt.Add(5 * time.Second)
	for i, name := range names {
		steps := []ghLogStep{
			{"Set up job", []string{"Current runner version: '2.328.0'", "Runner name: 'GitHub Actions 1000000'"}},
			{"Run releaser", jobs[name]},
			{"Complete job", []string{"Cleaning up orphan processes"}},
		}
		dirName := ghLogName(name)
		if !run.OmitJobLogs {
			if err := writeLogEntry(zw, fmt.Sprintf("%d_%s.txt", i, dirName), start, steps); err != nil {
				return "", err
			}
		}
		if !run.OmitStepLogs {
			t := start
			for n, st := range steps {
				if err := writeLogEntry(zw, fmt.Sprintf("%s/%d_%s.txt", dirName, n+1, ghLogName(st.name)), t, steps[n:n+1]); err != nil {
					return "", err
				}
				t = t.Add(time.Duration(len(st.lines)) * ghLogLineStep)
			}
			system := []ghLogStep{{"", []string{"Requested labels: ubuntu-latest", "Job defined at: " + run.HeadBranch}}}
			if err := writeLogEntry(zw, dirName+"/system.txt", start, system); err != nil {
				return "", err
			}
		}
		start = start.Add(time.Minute)
	}
	if err := zw.Close(); err != nil {
		return "", err
	}
	return f.Name(), bw.Flush()
}

// writeLogEntry writes the steps' lines as one file, timestamps counting up from t.
func writeLogEntry(zw *zip.Writer, name string, t time.Time, steps []ghLogStep) error {
	w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate})
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	bw.WriteString(ghLogBOM)
	stamp := make([]byte, 0, len(ghLogTimeLayout)+1)
	for _, st := range steps {
		for _, line := range st.lines {
			stamp = t.UTC().AppendFormat(stamp[:0], ghLogTimeLayout)
			bw.Write(stamp)
			bw.WriteByte(' ')
			bw.WriteString(line)
			bw.WriteByte('\n')
			t = t.Add(ghLogLineStep)
		}
	}
	return bw.Flush()
}

// ghLogName is a job or step name as it appears in an archive path.
func ghLogName(name string) string {
	name = strings.NewReplacer("/", "", ":", "").Replace(name)
	if u := utf16.Encode([]rune(name)); len(u) > ghLogNameMax {
		name = string(utf16.Decode(u[:ghLogNameMax]))
	}
	return strings.TrimSpace(name)
}

// emptyZip is the archive of a run that has no job logs.
var emptyZip = func() []byte {
	var b strings.Builder
	zw := zip.NewWriter(&b)
	if err := zw.Close(); err != nil {
		panic(err)
	}
	return []byte(b.String())
}()
