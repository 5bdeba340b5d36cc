package pkgmeta

import (
	"fmt"
	"regexp"
	"strings"
)

// Python distribution types, as the upload form's filetype field names them.
const (
	FiletypeWheel = "bdist_wheel"
	FiletypeSdist = "sdist"
)

var nameSeparators = regexp.MustCompile(`[-_.]+`)

// NormalizeName is PEP 503's normalisation: lower case, runs of "-", "_"
// and "." become one "-". PyPI compares project names this way.
func NormalizeName(name string) string {
	return strings.ToLower(nameSeparators.ReplaceAllString(name, "-"))
}

// SdistFilename is the only sdist name PyPI accepts (PEP 625): the
// normalised name with "-" turned into "_", the version, ".tar.gz".
// The version is used as written; build backends write it normalised.
func SdistFilename(name, version string) string {
	return strings.ReplaceAll(NormalizeName(name), "-", "_") + "-" + version + ".tar.gz"
}

// WheelFilename is a wheel's file name split into its PEP 427 parts.
type WheelFilename struct {
	Name, Version, Build, PythonTag, ABITag, PlatformTag string
}

// ParseWheelFilename splits "{name}-{version}(-{build})?-{py}-{abi}-{plat}.whl".
func ParseWheelFilename(filename string) (WheelFilename, error) {
	stem, ok := strings.CutSuffix(filename, ".whl")
	if !ok {
		return WheelFilename{}, fmt.Errorf("wheel file name %q does not end in .whl", filename)
	}
	parts := strings.Split(stem, "-")
	var w WheelFilename
	switch len(parts) {
	case 5:
		w = WheelFilename{parts[0], parts[1], "", parts[2], parts[3], parts[4]}
	case 6:
		w = WheelFilename{parts[0], parts[1], parts[2], parts[3], parts[4], parts[5]}
		if w.Build == "" || w.Build[0] < '0' || w.Build[0] > '9' {
			return WheelFilename{}, fmt.Errorf("wheel file name %q: the build tag must start with a digit", filename)
		}
	default:
		return WheelFilename{}, fmt.Errorf("wheel file name %q is not {name}-{version}(-{build})?-{python tag}-{abi tag}-{platform tag}.whl", filename)
	}
	for _, p := range parts {
		if p == "" {
			return WheelFilename{}, fmt.Errorf("wheel file name %q has an empty part", filename)
		}
	}
	return w, nil
}
