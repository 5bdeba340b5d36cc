package sample

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/csv"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// wheelGenerator is what WHEEL names as the tool that made the wheel.
const wheelGenerator = "releaser-sample"

// buildWheel writes a pure-Python py3-none-any wheel (PEP 427): the files under
// src/ at the root of the archive, then the .dist-info directory, RECORD last
// because it lists the hashes of everything before it.
func buildWheel(p *pyPackage, mtime time.Time) (string, []byte, error) {
	stem := p.dist + "-" + p.version
	distInfo := stem + ".dist-info/"
	var files []srcFile
	for _, f := range p.src.files {
		if rel, ok := strings.CutPrefix(f.path, "src/"); ok {
			files = append(files, srcFile{path: rel, data: f.data, exec: f.exec})
		}
	}
	if len(files) == 0 {
		return "", nil, fmt.Errorf("%s: no files; the wheel ships the src/ layout's packages", p.src.display("src"))
	}
	for _, f := range files {
		if strings.HasPrefix(f.path, distInfo) {
			return "", nil, fmt.Errorf("%s: clashes with the wheel's own %s directory; rename it", p.src.display("src/"+f.path), distInfo)
		}
	}
	meta := []srcFile{
		{path: distInfo + "METADATA", data: p.metadata},
		{path: distInfo + "WHEEL", data: []byte(
			"Wheel-Version: 1.0\n" +
				"Generator: " + wheelGenerator + "\n" +
				"Root-Is-Purelib: true\n" +
				"Tag: py3-none-any\n" +
				"\n")}, // the blank line that ends the headers, as bdist_wheel writes it
	}
	for _, lf := range p.licenseFiles {
		f, _ := p.src.file(lf)
		meta = append(meta, srcFile{path: distInfo + "licenses/" + lf, data: f.data})
	}
	sort.Slice(meta, func(i, j int) bool { return meta[i].path < meta[j].path })
	files = append(files, meta...)
	record, err := wheelRecord(files, distInfo+"RECORD")
	if err != nil {
		return "", nil, err
	}
	files = append(files, srcFile{path: distInfo + "RECORD", data: record})

	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		h := &zip.FileHeader{Name: f.path, Method: zip.Deflate, Modified: mtime}
		h.SetMode(0o644)
		if f.exec {
			h.SetMode(0o755)
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			return "", nil, fmt.Errorf("wheel %s: %w", f.path, err)
		}
		if _, err := w.Write(f.data); err != nil {
			return "", nil, fmt.Errorf("wheel %s: %w", f.path, err)
		}
	}
	if err := zw.Close(); err != nil {
		return "", nil, fmt.Errorf("wheel: %w", err)
	}
	return stem + "-py3-none-any.whl", buf.Bytes(), nil
}

// wheelRecord is the RECORD file: a CSV row "path,sha256=<urlsafe b64>,size" per
// file and an empty hash and size for RECORD itself, which cannot hash itself.
func wheelRecord(files []srcFile, self string) ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	for _, f := range files {
		sum := sha256.Sum256(f.data)
		hash := "sha256=" + base64.RawURLEncoding.EncodeToString(sum[:])
		if err := w.Write([]string{f.path, hash, strconv.Itoa(len(f.data))}); err != nil {
			return nil, fmt.Errorf("wheel RECORD: %w", err)
		}
	}
	if err := w.Write([]string{self, "", ""}); err != nil {
		return nil, fmt.Errorf("wheel RECORD: %w", err)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return nil, fmt.Errorf("wheel RECORD: %w", err)
	}
	return buf.Bytes(), nil
}
