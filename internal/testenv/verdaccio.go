package testenv

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Verdaccio is a real npm registry server (verdaccio, pinned in testdata/verdaccio)
// running on a loopback port for one test: htpasswd auth, storage in the test's
// temporary directory, no uplinks.
type Verdaccio struct {
	url     string
	dir     string
	logPath string
	outPath string
	cmd     *exec.Cmd
	exited  chan struct{}
}

// verdaccioStartTimeout bounds how long a start may take before the test fails.
const verdaccioStartTimeout = 60 * time.Second

// StartVerdaccio starts verdaccio for the test and stops it at cleanup. The program is
// $RELEASER_VERDACCIO or testdata/verdaccio/node_modules/.bin/verdaccio under the module
// root (scripts/test-deps installs it). When it, or node, is missing the test is skipped
// with a loud message, or fails under RELEASER_REQUIRE_TOOLS=1. A failing test gets the
// tail of verdaccio's log.
func StartVerdaccio(t testing.TB) *Verdaccio {
	t.Helper()
	bin, root, err := verdaccioPaths()
	if err != nil {
		missingTool(t, err.Error(), "run scripts/test-deps (npm ci --prefix testdata/verdaccio)")
	}
	if _, err := exec.LookPath("node"); err != nil {
		missingTool(t, "node is not on PATH (verdaccio needs it)", "install Node.js 20 or newer")
	}
	tmpl, err := os.ReadFile(filepath.Join(root, "testdata", "verdaccio", "config.yaml"))
	if err != nil {
		t.Fatalf("testenv: verdaccio config template: %v", err)
	}
	v := &Verdaccio{dir: t.TempDir()}
	v.logPath = filepath.Join(v.dir, "verdaccio.log")
	v.outPath = filepath.Join(v.dir, "verdaccio.out")
	cfg := filepath.Join(v.dir, "config.yaml")
	if err := os.WriteFile(cfg, []byte(strings.ReplaceAll(string(tmpl), "{{DIR}}", v.dir)), 0o600); err != nil {
		t.Fatalf("testenv: write verdaccio config: %v", err)
	}
	// A port freed just before verdaccio binds it can be taken in between; try again
	// a few times before giving up.
	for attempt := 1; ; attempt++ {
		err := v.start(bin, cfg)
		if err == nil {
			break
		}
		if attempt == 3 {
			t.Fatalf("testenv: start verdaccio: %v\n%s", err, v.tail())
		}
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("verdaccio at %s, last log lines:\n%s", v.url, v.tail())
		}
		v.stop()
	})
	return v
}

// URL is verdaccio's base URL, "http://127.0.0.1:<port>", without a trailing slash.
func (v *Verdaccio) URL() string { return v.url }

// start launches verdaccio on a free port and waits until /-/ping answers.
func (v *Verdaccio) start(bin, cfg string) error {
	port, err := freePort()
	if err != nil {
		return err
	}
	out, err := os.OpenFile(v.outPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	defer out.Close()
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	cmd := exec.Command(bin, "--config", cfg, "--listen", addr)
	cmd.Dir = v.dir
	cmd.Stdout, cmd.Stderr = out, out
	cmd.Env = append(os.Environ(), "NODE_ENV=production")
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("run %s: %w", bin, err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	v.cmd, v.exited, v.url = cmd, exited, "http://"+addr
	ctx, cancel := context.WithTimeout(context.Background(), verdaccioStartTimeout)
	defer cancel()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, v.url+"/-/ping", nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-exited:
			return errors.New("verdaccio exited before answering /-/ping")
		case <-ctx.Done():
			v.stop()
			return fmt.Errorf("verdaccio did not answer /-/ping within %s", verdaccioStartTimeout)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// stop kills the verdaccio this test started (by its pid) and waits for it.
func (v *Verdaccio) stop() {
	if v.cmd == nil || v.cmd.Process == nil {
		return
	}
	_ = v.cmd.Process.Kill()
	<-v.exited
}

// tail is the end of verdaccio's log and console output, for failure messages.
func (v *Verdaccio) tail() string {
	var b strings.Builder
	for _, p := range []string{v.logPath, v.outPath} {
		data, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
		if len(lines) > 40 {
			lines = lines[len(lines)-40:]
		}
		fmt.Fprintf(&b, "--- %s\n%s\n", filepath.Base(p), strings.Join(lines, "\n"))
	}
	return b.String()
}

// verdaccioPaths finds the verdaccio program and the module root.
func verdaccioPaths() (bin, root string, err error) {
	root, err = moduleRoot()
	if err != nil {
		return "", "", err
	}
	if env := os.Getenv("RELEASER_VERDACCIO"); env != "" {
		if _, err := os.Stat(env); err != nil {
			return "", "", fmt.Errorf("RELEASER_VERDACCIO=%s: %w", env, err)
		}
		return env, root, nil
	}
	bin = filepath.Join(root, "testdata", "verdaccio", "node_modules", ".bin", "verdaccio")
	if _, err := os.Stat(bin); err != nil {
		return "", "", fmt.Errorf("verdaccio is not installed at %s", bin)
	}
	return bin, root, nil
}

// moduleRoot is the nearest directory above the working directory with a go.mod.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

// freePort asks the kernel for an unused loopback port.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
