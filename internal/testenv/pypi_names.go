package testenv

import (
	"regexp"
	"strconv"
	"strings"
)

// PEP 503 / PEP 440 helpers, written after the packaging library warehouse uses:
// canonicalize_name, Version (parse and str) and canonicalize_version.

var nameSeparators = regexp.MustCompile(`[-_.]+`)

// canonicalName is packaging.utils.canonicalize_name.
func canonicalName(name string) string {
	return strings.ToLower(nameSeparators.ReplaceAllString(name, "-"))
}

// projectNameRE is warehouse's PROJECT_NAME_RE (used with re.IGNORECASE).
var projectNameRE = regexp.MustCompile(`(?i)^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$`)

// pep440RE is packaging's VERSION_PATTERN, anchored, case-insensitive, surrounding
// whitespace allowed.
var pep440RE = regexp.MustCompile(`(?i)^\s*v?` +
	`(?:(?P<epoch>[0-9]+)!)?` +
	`(?P<release>[0-9]+(?:\.[0-9]+)*)` +
	`(?P<pre>[-_\.]?(?P<pre_l>alpha|a|beta|b|preview|pre|c|rc)[-_\.]?(?P<pre_n>[0-9]+)?)?` +
	`(?P<post>(?:-(?P<post_n1>[0-9]+))|(?:[-_\.]?(?P<post_l>post|rev|r)[-_\.]?(?P<post_n2>[0-9]+)?))?` +
	`(?P<dev>[-_\.]?(?P<dev_l>dev)[-_\.]?(?P<dev_n>[0-9]+)?)?` +
	`(?:\+(?P<local>[a-z0-9]+(?:[-_\.][a-z0-9]+)*))?` +
	`\s*$`)

// pyVersion is a parsed PEP 440 version.
type pyVersion struct {
	epoch   int
	release []int
	pre     string // normalised "a1", "b2", "rc3" or ""
	post    int    // -1 when absent
	dev     int    // -1 when absent
	local   string
}

// parsePyVersion parses s as packaging.version.Version does.
func parsePyVersion(s string) (pyVersion, bool) {
	m := pep440RE.FindStringSubmatch(s)
	if m == nil {
		return pyVersion{}, false
	}
	g := func(name string) string { return m[pep440RE.SubexpIndex(name)] }
	num := func(s string) int {
		if s == "" {
			return 0
		}
		n, err := strconv.Atoi(s)
		if err != nil {
			return 1<<31 - 1 // absurdly long numbers: still a version, never equal
		}
		return n
	}
	v := pyVersion{epoch: num(g("epoch")), post: -1, dev: -1}
	for _, p := range strings.Split(g("release"), ".") {
		v.release = append(v.release, num(p))
	}
	if l := strings.ToLower(g("pre_l")); l != "" {
		switch l {
		case "alpha":
			l = "a"
		case "beta":
			l = "b"
		case "c", "pre", "preview":
			l = "rc"
		}
		v.pre = l + strconv.Itoa(num(g("pre_n")))
	}
	if g("post") != "" {
		v.post = num(g("post_n1") + g("post_n2"))
	}
	if g("dev") != "" {
		v.dev = num(g("dev_n"))
	}
	v.local = strings.ToLower(strings.NewReplacer("-", ".", "_", ".").Replace(g("local")))
	return v, true
}

// String is str(Version): the normalised form.
func (v pyVersion) String() string {
	var b strings.Builder
	if v.epoch != 0 {
		b.WriteString(strconv.Itoa(v.epoch) + "!")
	}
	b.WriteString(joinInts(v.release))
	b.WriteString(v.pre)
	if v.post >= 0 {
		b.WriteString(".post" + strconv.Itoa(v.post))
	}
	if v.dev >= 0 {
		b.WriteString(".dev" + strconv.Itoa(v.dev))
	}
	if v.local != "" {
		b.WriteString("+" + v.local)
	}
	return b.String()
}

// canonical is packaging.utils.canonicalize_version: the normalised form with trailing
// zeros of the release dropped, so "1.0" and "1.0.0" name the same release.
func (v pyVersion) canonical() string {
	c := v
	r := append([]int(nil), v.release...)
	for len(r) > 1 && r[len(r)-1] == 0 {
		r = r[:len(r)-1]
	}
	c.release = r
	return c.String()
}

func joinInts(ns []int) string {
	parts := make([]string, len(ns))
	for i, n := range ns {
		parts[i] = strconv.Itoa(n)
	}
	return strings.Join(parts, ".")
}

// wheelNameRE is packaging's check on a wheel filename's name part.
var wheelNameRE = regexp.MustCompile(`^[\w.]*$`)

// parseWheelFilename is packaging.utils.parse_wheel_filename: it returns the canonical
// project name, the version and the platform tags, or packaging's error text.
func parseWheelFilename(filename string) (name string, version pyVersion, platforms []string, problem string) {
	stem, ok := strings.CutSuffix(filename, ".whl")
	if !ok {
		return "", pyVersion{}, nil, "Invalid wheel filename (extension must be '.whl'): " + pyRepr(filename)
	}
	parts := strings.Split(stem, "-")
	if len(parts) != 5 && len(parts) != 6 {
		return "", pyVersion{}, nil, "Invalid wheel filename (wrong number of parts): " + pyRepr(filename)
	}
	if strings.Contains(parts[0], "__") || !wheelNameRE.MatchString(parts[0]) {
		return "", pyVersion{}, nil, "Invalid project name: " + pyRepr(filename)
	}
	v, ok := parsePyVersion(parts[1])
	if !ok {
		return "", pyVersion{}, nil, "Invalid wheel filename (invalid version): " + pyRepr(filename)
	}
	if len(parts) == 6 {
		if b := parts[2]; b == "" || b[0] < '0' || b[0] > '9' {
			return "", pyVersion{}, nil, "Invalid build number: " + b + " in " + pyRepr(filename)
		}
	}
	platforms = strings.Split(parts[len(parts)-1], ".")
	return canonicalName(parts[0]), v, platforms, ""
}

// parseSdistFilename is packaging.utils.parse_sdist_filename; ok is false where it
// raises InvalidSdistFilename.
func parseSdistFilename(filename string) (name string, version pyVersion, ok bool) {
	stem, found := strings.CutSuffix(filename, ".tar.gz")
	if !found {
		if stem, found = strings.CutSuffix(filename, ".zip"); !found {
			return "", pyVersion{}, false
		}
	}
	i := strings.LastIndexByte(stem, '-')
	if i < 0 {
		return "", pyVersion{}, false
	}
	v, ok := parsePyVersion(stem[i+1:])
	if !ok {
		return "", pyVersion{}, false
	}
	return canonicalName(stem[:i]), v, true
}

// Platform tags warehouse accepts on binary wheels (forklift/legacy.py).
var (
	wheelPlatforms = map[string]bool{
		"any": true, "win32": true, "win_arm64": true, "win_amd64": true, "win_ia64": true,
		"manylinux1_x86_64": true, "manylinux1_i686": true, "manylinux2010_x86_64": true,
		"manylinux2010_i686": true, "manylinux2014_x86_64": true, "manylinux2014_i686": true,
		"manylinux2014_aarch64": true, "manylinux2014_armv7l": true, "manylinux2014_ppc64": true,
		"manylinux2014_ppc64le": true, "manylinux2014_s390x": true, "linux_armv6l": true, "linux_armv7l": true,
	}
	macosPlatformRE = regexp.MustCompile(`^macosx_(\d+)_(\d+)_(.*)$`)
	macosArches     = map[string]bool{"ppc": true, "ppc64": true, "i386": true, "x86_64": true, "arm64": true,
		"intel": true, "fat": true, "fat3": true, "fat64": true, "universal": true, "universal2": true}
	macosMajors     = map[string]bool{"11": true, "12": true, "13": true, "14": true, "15": true, "26": true}
	linuxPlatformRE = regexp.MustCompile(`^(many|musl)linux_(\d+)_(\d+)_(.*)$`)
	linuxArches     = map[string]bool{"x86_64": true, "i686": true, "aarch64": true, "armv7l": true,
		"ppc64le": true, "s390x": true, "riscv64": true}
)

// validPlatformTag is warehouse's _valid_platform_tag (iOS and Android left out: the
// emulator's users build pure and Linux/macOS/Windows wheels).
func validPlatformTag(tag string) bool {
	if wheelPlatforms[tag] {
		return true
	}
	if m := macosPlatformRE.FindStringSubmatch(tag); m != nil && macosArches[m[3]] {
		return m[1] == "10" || (macosMajors[m[1]] && m[2] == "0")
	}
	if m := linuxPlatformRE.FindStringSubmatch(tag); m != nil {
		return linuxArches[m[4]] || (m[1] == "many" && m[4] == "ppc64")
	}
	return false
}
