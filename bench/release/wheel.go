//go:build releaserbench

package release

import (
	"archive/zip"
	"bufio"
	"crypto/sha256"
	"encoding/base64"
	"encoding/csv"
	"fmt"
	"hash"
	"io"
	"os"
	"strconv"
	"strings"
)

// writeWheel writes a binary wheel for tag ("cp312-cp312-<platforms>"): the
// example's pure wheel (its package and .dist-info, METADATA unchanged) plus
// a native extension module of payload random bytes, stored uncompressed as
// maturin stores nothing smaller, and a WHEEL and RECORD that say so.
func writeWheel(base, path, tag string, payload int64, rnd io.Reader) error {
	zr, err := zip.OpenReader(base)
	if err != nil {
		return fmt.Errorf("base wheel: %w", err)
	}
	defer zr.Close()
	distInfo := "hello_releaser-" + Version + ".dist-info/"
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	bw := bufio.NewWriterSize(f, 1<<20)
	zw := zip.NewWriter(bw)
	var record [][]string
	add := func(name string, method uint16, size int64, body io.Reader) error {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: method, Modified: zipTime})
		if err != nil {
			return err
		}
		h := sha256.New()
		n, err := io.Copy(io.MultiWriter(w, h), body)
		if err != nil {
			return fmt.Errorf("wheel %s: %w", name, err)
		}
		if size >= 0 && n != size {
			return fmt.Errorf("wheel %s: wrote %d bytes, want %d", name, n, size)
		}
		record = append(record, []string{name, recordHash(h), strconv.FormatInt(n, 10)})
		return nil
	}
	for _, e := range zr.File {
		if e.Name == distInfo+"WHEEL" || e.Name == distInfo+"RECORD" {
			continue
		}
		rc, err := e.Open()
		if err != nil {
			return fmt.Errorf("base wheel %s: %w", e.Name, err)
		}
		err = add(e.Name, zip.Deflate, -1, rc)
		rc.Close()
		if err != nil {
			return err
		}
	}
	if err := add("hello_releaser/_core"+extSuffix(tag), zip.Store, payload, io.LimitReader(rnd, payload)); err != nil {
		return err
	}
	if err := add(distInfo+"WHEEL", zip.Deflate, -1, strings.NewReader(wheelFile(tag))); err != nil {
		return err
	}
	record = append(record, []string{distInfo + "RECORD", "", ""})
	var rec strings.Builder
	cw := csv.NewWriter(&rec)
	if err := cw.WriteAll(record); err != nil {
		return err
	}
	w, err := zw.CreateHeader(&zip.FileHeader{Name: distInfo + "RECORD", Method: zip.Deflate, Modified: zipTime})
	if err != nil {
		return err
	}
	if _, err := io.WriteString(w, rec.String()); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	return f.Close()
}

// wheelFile is the WHEEL metadata: one Tag line per expanded tag, as
// maturin writes them for a compressed platform tag set.
func wheelFile(tag string) string {
	parts := strings.SplitN(tag, "-", 3)
	var b strings.Builder
	b.WriteString("Wheel-Version: 1.0\nGenerator: maturin (releaser benchmark)\nRoot-Is-Purelib: false\n")
	for _, plat := range strings.Split(parts[2], ".") {
		fmt.Fprintf(&b, "Tag: %s-%s-%s\n", parts[0], parts[1], plat)
	}
	return b.String()
}

// extSuffix is the extension module's file suffix on tag's platform.
func extSuffix(tag string) string {
	parts := strings.SplitN(tag, "-", 3)
	ver := strings.TrimPrefix(parts[0], "cp")
	plat := parts[2]
	switch {
	case strings.HasPrefix(plat, "win_"):
		return ".cp" + ver + "-" + plat + ".pyd"
	case strings.HasPrefix(plat, "macosx_"):
		return ".cpython-" + ver + "-darwin.so"
	}
	arch := "x86_64"
	if strings.Contains(plat, "aarch64") {
		arch = "aarch64"
	}
	libc := "gnu"
	if strings.HasPrefix(plat, "musllinux") {
		libc = "musl"
	}
	return ".cpython-" + ver + "-" + arch + "-linux-" + libc + ".so"
}

func recordHash(h hash.Hash) string {
	return "sha256=" + base64.RawURLEncoding.EncodeToString(h.Sum(nil))
}
