package sample

import (
	"strings"
	"time"
)

// gemSpecYAML renders the Gem::Specification as Psych serialises it in a gem's
// metadata.gz: the same keys in the same order as `gem build`, so RubyGems and
// rubygems.org load it with their safe YAML loader's permitted classes.
func gemSpecYAML(g *gemSpec, version string, files []string, mtime time.Time) []byte {
	var b strings.Builder
	line := func(s string) { b.WriteString(s + "\n") }
	list := func(key string, vs []string) {
		if len(vs) == 0 {
			line(key + ": []")
			return
		}
		line(key + ":")
		for _, v := range vs {
			line("- " + yamlScalar(v))
		}
	}
	scalar := func(key, v string) {
		if v == "" {
			line(key + ":") // nil, as an unset attribute serialises
			return
		}
		line(key + ": " + yamlScalar(v))
	}
	requirement := func(key, req string) {
		op, ver := ">=", "0"
		if m := gemRequirement.FindStringSubmatch(req); m != nil {
			op, ver = m[1], m[2]
		}
		line(key + ": !ruby/object:Gem::Requirement")
		line("  requirements:")
		line("  - - " + yamlScalar(op))
		line("    - !ruby/object:Gem::Version")
		line("      version: " + yamlScalar(ver))
	}

	line("--- !ruby/object:Gem::Specification")
	scalar("name", g.Name)
	line("version: !ruby/object:Gem::Version")
	line("  version: " + yamlScalar(version))
	line("platform: ruby")
	list("authors", g.Authors)
	line("autorequire:")
	line("bindir: bin")
	line("cert_chain: []")
	// RubyGems truncates the build date to the day, in UTC.
	line("date: " + mtime.UTC().Format("2006-01-02") + " 00:00:00.000000000 Z")
	line("dependencies: []")
	scalar("description", g.Description)
	list("email", g.Email)
	line("executables: []")
	line("extensions: []")
	line("extra_rdoc_files: []")
	list("files", files)
	scalar("homepage", g.Homepage)
	list("licenses", g.Licenses)
	line("metadata: {}")
	line("post_install_message:")
	line("rdoc_options: []")
	list("require_paths", g.RequirePaths)
	requirement("required_ruby_version", g.RequiredRubyVersion)
	requirement("required_rubygems_version", "")
	line("requirements: []")
	line("rubygems_version: " + yamlScalar(gemRubygemsVersion))
	line("signing_key:")
	line("specification_version: 4")
	scalar("summary", g.Summary)
	line("test_files: []")
	return []byte(b.String())
}
