package artifact

import (
	"path/filepath"
	"strings"
)

// Kind is the packaging format of an artifact; it decides which registry
// can take it.
type Kind string

// The known kinds. Anything not recognised is KindGeneric, which is only
// attached to the GitHub release.
const (
	KindWheel   Kind = "wheel"   // *.whl
	KindSdist   Kind = "sdist"   // {name}-{version}.tar.gz (PEP 625)
	KindNpm     Kind = "npm"     // *.tgz
	KindCrate   Kind = "crate"   // *.crate
	KindGem     Kind = "gem"     // *.gem
	KindGeneric Kind = "generic" // anything else
)

// Known reports whether k is one of the kinds above.
func (k Kind) Known() bool {
	switch k {
	case KindWheel, KindSdist, KindNpm, KindCrate, KindGem, KindGeneric:
		return true
	}
	return false
}

// DetectKind classifies a file by its base name only; the content is never
// inspected. Matching is case-sensitive because registries are.
func DetectKind(name string) Kind {
	base := filepath.Base(name)
	// A suffix with nothing before it (".whl") is not a package.
	hasExt := func(ext string) bool {
		return len(base) > len(ext) && strings.HasSuffix(base, ext)
	}
	switch {
	case hasExt(".whl"):
		return KindWheel
	case hasExt(".tgz"):
		return KindNpm
	case hasExt(".crate"):
		return KindCrate
	case hasExt(".gem"):
		return KindGem
	case hasExt(".tar.gz") && isSdistStem(strings.TrimSuffix(base, ".tar.gz")):
		return KindSdist
	}
	return KindGeneric
}

// isSdistStem reports whether stem is "{name}-{version}" as PEP 625 writes
// it: a normalized name (letters, digits, '_', '.'; never '-') and a
// normalized PEP 440 version, which starts with a digit and has no '-'.
// This keeps "tool-linux-amd64.tar.gz" and "tool-src.tar.gz" generic.
func isSdistStem(stem string) bool {
	name, version, ok := strings.Cut(stem, "-")
	if !ok || name == "" || version == "" {
		return false
	}
	for _, r := range name {
		if !isAlnum(r) && r != '_' && r != '.' {
			return false
		}
	}
	if version[0] < '0' || version[0] > '9' {
		return false
	}
	for _, r := range version {
		// '!' is the epoch separator, '+' starts a local version label.
		if !isAlnum(r) && r != '.' && r != '+' && r != '!' && r != '_' {
			return false
		}
	}
	return true
}

func isAlnum(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
}
