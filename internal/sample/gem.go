package sample

import (
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

// gemToml stands in for a .gemspec, which only Ruby can evaluate. Its keys are the
// Gem::Specification attributes of the same names; the version is not among them
// because it comes from VERSION.
const gemToml = "gem.toml"

// gemRubygemsVersion is the RubyGems release whose `gem build` output this
// builder reproduces; the spec records it as the version that built the gem.
const gemRubygemsVersion = "3.3.15"

type gemSpec struct {
	Name                string   `toml:"name"`
	Summary             string   `toml:"summary"`
	Description         string   `toml:"description"`
	Authors             []string `toml:"authors"`
	Email               []string `toml:"email"`
	Homepage            string   `toml:"homepage"`
	Licenses            []string `toml:"licenses"`
	RequiredRubyVersion string   `toml:"required_ruby_version"`
	RequirePaths        []string `toml:"require_paths"`
}

// gemRequirement is "OP VERSION", one Gem::Requirement clause.
var gemRequirement = regexp.MustCompile(`^(=|!=|>|<|>=|<=|~>) ?([0-9]+(\.[0-9a-zA-Z]+)*)$`)

func loadGemSpec(src tree) (*gemSpec, error) {
	file := src.display(gemToml)
	f, ok := src.file(gemToml)
	if !ok {
		return nil, fmt.Errorf("%s: missing; the Ruby example keeps its gem metadata there (a .gemspec needs ruby to read)", file)
	}
	var g gemSpec
	md, err := toml.Decode(string(f.data), &g)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	if undecoded := md.Undecoded(); len(undecoded) > 0 {
		k := undecoded[0].String()
		if k == "version" {
			return nil, fmt.Errorf("%s: remove \"version\"; the gem version comes from VERSION", file)
		}
		return nil, fmt.Errorf("%s: key %q is not supported; use name, summary, description, authors, email, homepage, licenses, required_ruby_version, require_paths", file, k)
	}
	if err := checkName(file, "name", g.Name, gemName, 100); err != nil {
		return nil, err
	}
	if strings.TrimSpace(g.Summary) == "" {
		return nil, fmt.Errorf("%s: summary is missing; RubyGems refuses a gem without one", file)
	}
	if len(g.Authors) == 0 {
		return nil, fmt.Errorf("%s: authors is missing; RubyGems refuses a gem without one", file)
	}
	if g.Homepage != "" {
		u, err := url.Parse(g.Homepage)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return nil, fmt.Errorf("%s: homepage %q is not an http(s) URL", file, g.Homepage)
		}
	}
	for _, l := range g.Licenses {
		if l == "" || len(l) > 64 {
			return nil, fmt.Errorf("%s: licenses entry %q must be 1 to 64 characters (an SPDX identifier)", file, l)
		}
	}
	if g.RequiredRubyVersion != "" && !gemRequirement.MatchString(g.RequiredRubyVersion) {
		return nil, fmt.Errorf("%s: required_ruby_version %q is not one requirement like \">= 2.7\"", file, g.RequiredRubyVersion)
	}
	if len(g.RequirePaths) == 0 {
		g.RequirePaths = []string{"lib"}
	}
	return &g, nil
}

// buildGem writes the .gem `gem build` would: an uncompressed tar of metadata.gz
// (the YAML Gem::Specification), data.tar.gz (the files) and checksums.yaml.gz.
func buildGem(src tree, version string, mtime time.Time) (string, []byte, error) {
	g, err := loadGemSpec(src)
	if err != nil {
		return "", nil, err
	}
	var files []tarEntry
	var names []string
	for _, f := range src.files {
		if f.path == gemToml {
			continue
		}
		// RubyGems records the full st_mode, file type bits included.
		files = append(files, tarEntry{name: f.path, data: f.data, mode: 0o100000 | f.mode()})
		names = append(names, f.path)
	}
	gz := gzipStyle{mtime: mtime, os: gzipOSUnix}
	rubyTar := tarStyle{mtime: mtime, uname: "wheel", gname: "wheel"}
	data, err := tarGz(files, rubyTar, gz)
	if err != nil {
		return "", nil, fmt.Errorf("gem data.tar.gz: %w", err)
	}
	meta, err := gzipBytes(gemSpecYAML(g, version, names, mtime), gz)
	if err != nil {
		return "", nil, fmt.Errorf("gem metadata.gz: %w", err)
	}
	sums, err := gzipBytes(gemChecksums(meta, data), gz)
	if err != nil {
		return "", nil, fmt.Errorf("gem checksums.yaml.gz: %w", err)
	}
	gem, err := tarBytes([]tarEntry{
		{name: "metadata.gz", data: meta, mode: 0o444},
		{name: "data.tar.gz", data: data, mode: 0o444},
		{name: "checksums.yaml.gz", data: sums, mode: 0o444},
	}, rubyTar)
	if err != nil {
		return "", nil, fmt.Errorf("gem: %w", err)
	}
	return g.Name + "-" + version + ".gem", gem, nil
}

// gemChecksums is checksums.yaml as RubyGems writes it: hex digests of the two
// archives the signature-less gem format can vouch for.
func gemChecksums(meta, data []byte) []byte {
	m256, d256 := sha256.Sum256(meta), sha256.Sum256(data)
	m512, d512 := sha512.Sum512(meta), sha512.Sum512(data)
	return []byte("---\n" +
		"SHA256:\n" +
		"  metadata.gz: " + hex.EncodeToString(m256[:]) + "\n" +
		"  data.tar.gz: " + hex.EncodeToString(d256[:]) + "\n" +
		"SHA512:\n" +
		"  metadata.gz: " + hex.EncodeToString(m512[:]) + "\n" +
		"  data.tar.gz: " + hex.EncodeToString(d512[:]) + "\n")
}
