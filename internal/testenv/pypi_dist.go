package testenv

import (
	"archive/tar"
	"archive/zip"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"strings"
)

// pypiMaxUnpacked bounds how much of an archive the emulator decompresses while looking
// at its member list (warehouse only bounds zips, by ratio; a test must not hang).
const pypiMaxUnpacked = 4 << 30

// distFileProblem is warehouse's _is_valid_dist_file: "" when the spooled file at path
// looks like a real distribution of its kind, else the text after "Invalid
// distribution file. ". Python prints a missing reason as "None".
func distFileProblem(path, filename string) string {
	switch {
	case strings.HasSuffix(filename, ".zip") || strings.HasSuffix(filename, ".whl"):
		return zipDistProblem(path, filename)
	case strings.HasSuffix(filename, ".tar.gz"):
		names, first, err := tarNames(path)
		if !first {
			return "File is not a tarfile"
		}
		if err != nil {
			return "None"
		}
		top := commonPrefix(names)
		if top == "." || top == "/" || top == "" {
			return "Incorrect number of top-level directories in sdist"
		}
		target := pathJoin(top, "PKG-INFO")
		if !contains(names, target) {
			return "PKG-INFO not found at " + target
		}
	}
	return ""
}

func zipDistProblem(path, filename string) string {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return "File is not a zipfile"
	}
	defer zr.Close()
	st, err := os.Stat(path)
	if err != nil {
		return "None"
	}
	var unpacked uint64
	for _, f := range zr.File {
		unpacked += f.UncompressedSize64
	}
	if unpacked > 64<<20 && float64(unpacked)/float64(st.Size()) > 50 {
		return "File exceeds compression ratio of 50"
	}
	for _, f := range zr.File {
		if f.Method != zip.Store && f.Method != zip.Deflate {
			return "File does not use a supported compression type"
		}
	}
	if strings.HasSuffix(filename, ".zip") {
		var names []string
		for _, f := range zr.File {
			names = append(names, f.Name)
		}
		top := commonPrefix(names)
		if top == "." || top == "/" || top == "" {
			return "Incorrect number of top-level directories in sdist"
		}
		if target := pathJoin(top, "PKG-INFO"); zipMember(&zr.Reader, target) == nil {
			return "PKG-INFO not found at " + target
		}
		return ""
	}
	parts := strings.SplitN(filename, "-", 3)
	if len(parts) < 3 {
		return "Unable to parse name and version from wheel filename"
	}
	if target := parts[0] + "-" + parts[1] + ".dist-info/WHEEL"; zipMember(&zr.Reader, target) == nil {
		return "WHEEL not found at " + target
	}
	return ""
}

// wheelProblem runs the checks warehouse makes on a wheel's contents after its name:
// License-File entries present, a RECORD, a METADATA. It returns the whole message.
func wheelProblem(path, filename string, licenseFiles []string) string {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return "Invalid distribution file. File is not a zipfile"
	}
	defer zr.Close()
	parts := strings.SplitN(filename, "-", 3)
	distInfo := parts[0] + "-" + parts[1] + ".dist-info/"
	for _, lf := range licenseFiles {
		if target := distInfo + "licenses/" + lf; zipMember(&zr.Reader, target) == nil {
			return "License-File " + lf + " does not exist in distribution file " + filename + " at " + target
		}
	}
	if zipMember(&zr.Reader, distInfo+"RECORD") == nil {
		return "Wheel '" + filename + "' does not contain the required RECORD file: " + distInfo + "RECORD"
	}
	if zipMember(&zr.Reader, distInfo+"METADATA") == nil {
		return "Wheel '" + filename + "' does not contain the required METADATA file: " + distInfo + "METADATA"
	}
	return ""
}

// sdistLicenseProblem checks that every License-File is in the sdist.
func sdistLicenseProblem(path, filename string, licenseFiles []string) string {
	if len(licenseFiles) == 0 {
		return ""
	}
	names, _, err := tarNames(path)
	if err != nil {
		return "Invalid distribution file. None"
	}
	top := commonPrefix(names)
	for _, lf := range licenseFiles {
		if target := pathJoin(top, lf); !contains(names, target) {
			return "License-File " + lf + " does not exist in distribution file " + filename + " at " + target
		}
	}
	return ""
}

// tarNames lists the members of a .tar.gz as Python's tarfile names them (directories
// without their trailing slash). first reports whether a first member could be read at
// all (tarfile.is_tarfile).
func tarNames(path string) (names []string, first bool, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, false, err
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return nil, false, err
	}
	tr := tar.NewReader(io.LimitReader(gz, pypiMaxUnpacked))
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return names, len(names) > 0, nil
		}
		if err != nil {
			return names, len(names) > 0, err
		}
		names = append(names, strings.TrimRight(h.Name, "/"))
	}
}

func zipMember(zr *zip.Reader, name string) *zip.File {
	for _, f := range zr.File {
		if f.Name == name {
			return f
		}
	}
	return nil
}

// commonPrefix is Python's os.path.commonprefix: character by character.
func commonPrefix(names []string) string {
	if len(names) == 0 {
		return ""
	}
	p := names[0]
	for _, n := range names[1:] {
		i := 0
		for i < len(p) && i < len(n) && p[i] == n[i] {
			i++
		}
		p = p[:i]
	}
	return p
}

// pathJoin is os.path.join for two POSIX parts.
func pathJoin(a, b string) string {
	if a == "" || strings.HasSuffix(a, "/") {
		return a + b
	}
	return a + "/" + b
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
