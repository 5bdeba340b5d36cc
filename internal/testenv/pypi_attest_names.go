package testenv

import (
	"sort"
	"strings"
)

// ultranormalizeDist is pypi-attestations' _ultranormalize_dist_filename: the file
// name with the canonical project name ('_' for '-'), the normalised version, and each
// part of a wheel's compressed tag set sorted and lower-cased (packaging's Tag lowers
// them), so two spellings of one distribution compare equal. problem is the ValueError
// text for a name that is neither a wheel nor an sdist.
func ultranormalizeDist(filename string) (string, string) {
	switch {
	case strings.HasSuffix(filename, ".whl"):
		name, version, _, problem := parseWheelFilename(filename)
		if problem != "" {
			return "", problem
		}
		parts := strings.Split(strings.TrimSuffix(filename, ".whl"), "-")
		tags := parts[len(parts)-3:]
		out := []string{underscored(name), version.String()}
		if len(parts) == 6 {
			out = append(out, parts[2])
		}
		for _, t := range tags {
			out = append(out, sortedTagSet(t))
		}
		return strings.Join(out, "-") + ".whl", ""
	case strings.HasSuffix(filename, ".tar.gz"), strings.HasSuffix(filename, ".zip"):
		name, version, ok := parseSdistFilename(filename)
		if !ok {
			return "", "Invalid sdist filename: " + pyRepr(filename)
		}
		ext := ".tar.gz"
		if strings.HasSuffix(filename, ".zip") {
			ext = ".zip"
		}
		return underscored(name) + "-" + version.String() + ext, ""
	}
	return "", "unknown distribution format: " + filename
}

// sortedTagSet lower-cases a compressed tag ("py2.py3") and sorts its members.
func sortedTagSet(tag string) string {
	seen := map[string]bool{}
	var members []string
	for _, m := range strings.Split(strings.ToLower(tag), ".") {
		if !seen[m] {
			seen[m] = true
			members = append(members, m)
		}
	}
	sort.Strings(members)
	return strings.Join(members, ".")
}
