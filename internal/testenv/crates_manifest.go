package testenv

import (
	"archive/tar"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"strings"

	"github.com/BurntSushi/toml"
)

// cratesMaxUnpack bounds the decompressed .crate (crates.io's default max_unpack_size).
const cratesMaxUnpack = 512 << 20

// crateManifest is crates.io's process_tarball plus the manifest checks of publish:
// every entry lies under "<name>-<vers>/", no links, a Cargo.toml there that parses,
// whose package name and version are the upload's, with a description and a license.
// It returns the [package] table, or crates.io's error text (texts from crates.io's
// tarball_to_app_error; the name/version mismatch text is UNCONFIRMED).
func crateManifest(path, name, vers string) (map[string]any, string) {
	f, err := os.Open(path)
	if err != nil {
		return nil, "uploaded tarball is malformed or too large when decompressed"
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return nil, "uploaded tarball is malformed or too large when decompressed"
	}
	prefix := name + "-" + vers + "/"
	tr := tar.NewReader(io.LimitReader(gz, cratesMaxUnpack))
	var manifest []byte
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, "uploaded tarball is malformed or too large when decompressed"
		}
		if !strings.HasPrefix(h.Name, prefix) {
			return nil, "invalid path found: " + h.Name
		}
		if h.Typeflag == tar.TypeSymlink || h.Typeflag == tar.TypeLink {
			return nil, "unexpected symlink or hard link found: " + h.Name
		}
		if strings.EqualFold(h.Name, prefix+"Cargo.toml") {
			if manifest, err = io.ReadAll(io.LimitReader(tr, 1<<20)); err != nil {
				return nil, "uploaded tarball is malformed or too large when decompressed"
			}
		}
	}
	if manifest == nil {
		return nil, "uploaded tarball is missing a `Cargo.toml` manifest file"
	}
	var doc struct {
		Package map[string]any `toml:"package"`
	}
	if _, err := toml.Decode(string(manifest), &doc); err != nil {
		return nil, "failed to parse `Cargo.toml` manifest file\n\n" + err.Error()
	}
	pkg := doc.Package
	if pkg == nil {
		return nil, "failed to parse `Cargo.toml` manifest file\n\nmissing field `package`"
	}
	if n, _ := pkg["name"].(string); n != name {
		return nil, "metadata name `" + name + "` does not match the name `" + n + "` in Cargo.toml"
	}
	if v, _ := pkg["version"].(string); v != vers {
		return nil, "metadata version `" + vers + "` does not match the version `" + v + "` in Cargo.toml"
	}
	var missing []string
	if s, _ := pkg["description"].(string); s == "" {
		missing = append(missing, "description")
	}
	lic, _ := pkg["license"].(string)
	licFile, _ := pkg["license-file"].(string)
	if lic == "" && licFile == "" {
		missing = append(missing, "license")
	}
	if len(missing) > 0 {
		return nil, "missing or empty metadata fields: " + strings.Join(missing, ", ") +
			". Please see https://doc.rust-lang.org/cargo/reference/manifest.html for how to upload metadata"
	}
	return pkg, ""
}
