package scaffold

import (
	"context"
	"net/url"
	"os/exec"
	"regexp"
	"strings"
	"time"
)

// originURL asks git for the "origin" remote of dir; "" when git, the
// repository or the remote is missing. A variable so tests do not depend on
// the checkout they run in.
var originURL = func(dir string) string {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "git", "-C", dir, "remote", "get-url", "origin")
	out, err := cmd.Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

func repositoryOf(dir string) string { return githubRepository(originURL(dir)) }

// reRepo is internal/config's owner/name rule.
var reRepo = regexp.MustCompile(`^[A-Za-z0-9-]+/[A-Za-z0-9._-]+$`)

// reSCP is git's scp-like form, user@host:path.
var reSCP = regexp.MustCompile(`^(?:[^@/:]+@)?([^/:]+):(.+)$`)

// githubRepository returns "owner/name" for a github.com remote URL in any
// form git accepts (https, ssh://, git://, scp-like user@host:path), else "".
// Credentials in the URL are dropped, never kept.
func githubRepository(remote string) string {
	remote = strings.TrimSpace(remote)
	var host, p string
	if u, err := url.Parse(remote); err == nil && u.Scheme != "" && u.Host != "" {
		switch strings.ToLower(u.Scheme) {
		case "https", "http", "ssh", "git", "git+ssh", "ssh+git":
		default:
			return ""
		}
		host, p = u.Hostname(), u.Path
	} else if m := reSCP.FindStringSubmatch(remote); m != nil && !strings.Contains(remote, "://") {
		host, p = m[1], m[2]
	} else {
		return ""
	}
	host = strings.ToLower(host)
	if host != "github.com" && host != "www.github.com" {
		return ""
	}
	p = strings.Trim(p, "/")
	p = strings.TrimSuffix(p, ".git")
	if !reRepo.MatchString(p) {
		return ""
	}
	return p
}
