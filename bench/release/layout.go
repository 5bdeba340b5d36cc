//go:build releaserbench

// Package release generates the benchmark's release: 60 artifacts of a large
// Rust-and-Python tool (wheels for 5 Python versions × 6 platforms, an sdist,
// per-platform binary archives with their .sha256 files, installers, a
// .crate, an npm tarball), about BENCH_SIZE_MIB in total. Payloads are
// random (incompressible); every package is a real one of its format, built
// around the example project's (internal/sample), so releaser's pkgmeta and
// the registry emulators accept them. Used only by the benchmarks (build tag
// releaserbench).
package release

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// Name and Version are the example project's: the emulators' publishers
// and the sample's metadata are registered under them.
const (
	Name    = "hello-releaser"
	Version = "1.2.3"
	Tag     = "v" + Version
)

// Kind says how a file is built.
type Kind string

const (
	KindWheel   Kind = "wheel"
	KindSdist   Kind = "sdist"
	KindCrate   Kind = "crate"
	KindNpm     Kind = "npm"
	KindTarGz   Kind = "tar.gz" // a binary archive
	KindZip     Kind = "zip"    // a Windows binary archive
	KindSidecar Kind = "sha256" // "<sha256>  <archive>\n", as cargo-dist writes them
	KindText    Kind = "text"   // installer scripts, dist-manifest.json
)

// File is one artifact of the release. Size is the size aimed at: packages
// come out a few KiB larger (their metadata and container overhead).
type File struct {
	Name string `json:"name"`
	Kind Kind   `json:"kind"`
	Size int64  `json:"size"`
	// Tag is a wheel's "{python}-{abi}-{platform}"; Target an archive's
	// Rust target triple; Of the archive a sidecar describes.
	Tag    string `json:"tag,omitempty"`
	Target string `json:"target,omitempty"`
	Of     string `json:"of,omitempty"`
}

// PyPI reports whether the file is one of PyPI's share (wheels and sdist).
func (f File) PyPI() bool { return f.Kind == KindWheel || f.Kind == KindSdist }

var (
	pythons = []string{"cp39", "cp310", "cp311", "cp312", "cp313"}
	// platforms as maturin tags them for a Rust extension.
	platforms = []string{
		"manylinux_2_17_x86_64.manylinux2014_x86_64",
		"manylinux_2_17_aarch64.manylinux2014_aarch64",
		"musllinux_1_2_x86_64",
		"macosx_10_12_x86_64",
		"macosx_11_0_arm64",
		"win_amd64",
	}
	// targets of the standalone binaries (cargo-dist's names).
	targets = []string{
		"x86_64-unknown-linux-gnu", "aarch64-unknown-linux-gnu", "x86_64-unknown-linux-musl",
		"aarch64-unknown-linux-musl", "armv7-unknown-linux-gnueabihf", "i686-unknown-linux-gnu",
		"powerpc64le-unknown-linux-gnu", "x86_64-apple-darwin", "aarch64-apple-darwin",
		"x86_64-pc-windows-msvc", "aarch64-pc-windows-msvc", "i686-pc-windows-msvc",
	}
)

// Plan lays out a release of about totalMiB: at 2048, wheels of about 10–60
// MiB, binary archives of about 65–100 MiB (the weights below, scaled so the
// sizes add up to the total), a 6 MiB sdist, a 2 MiB crate and a 1 MiB npm
// tarball; other totals scale every payload alike. The same total always
// gives the same plan.
func Plan(totalMiB int) []File {
	rng := rand.New(rand.NewPCG(10, uint64(totalMiB)))
	var files []File
	// weight is the share of the payload bytes at the 2048 MiB scale.
	var weights []float64
	add := func(f File, w float64) {
		files = append(files, f)
		weights = append(weights, w)
	}
	wheelStem := "hello_releaser-" + Version
	for _, py := range pythons {
		for _, plat := range platforms {
			tag := py + "-" + py + "-" + plat
			add(File{Name: wheelStem + "-" + tag + ".whl", Kind: KindWheel, Tag: tag}, 10+50*rng.Float64())
		}
	}
	add(File{Name: wheelStem + ".tar.gz", Kind: KindSdist}, 6)
	add(File{Name: Name + "-" + Version + ".crate", Kind: KindCrate}, 2)
	add(File{Name: Name + "-" + Version + ".tgz", Kind: KindNpm}, 1)
	for _, tr := range targets {
		ext, kind := ".tar.gz", KindTarGz
		if isWindows(tr) {
			ext, kind = ".zip", KindZip
		}
		name := Name + "-" + tr + ext
		add(File{Name: name, Kind: kind, Target: tr}, 65+35*rng.Float64())
		add(File{Name: name + ".sha256", Kind: KindSidecar, Of: name}, 0)
	}
	add(File{Name: Name + "-installer.sh", Kind: KindText, Size: 48 << 10}, 0)
	add(File{Name: Name + "-installer.ps1", Kind: KindText, Size: 36 << 10}, 0)
	add(File{Name: "dist-manifest.json", Kind: KindText, Size: 24 << 10}, 0)

	var sum, fixed float64
	for i, w := range weights {
		sum += w
		fixed += float64(files[i].Size)
	}
	payload := float64(int64(totalMiB)<<20) - fixed
	for i, w := range weights {
		if w > 0 {
			files[i].Size = int64(payload * w / sum)
		}
	}
	return files
}

func isWindows(target string) bool { return strings.HasSuffix(target, "-windows-msvc") }

// Total is the sum of the planned sizes.
func Total(files []File) int64 {
	var n int64
	for _, f := range files {
		n += f.Size
	}
	return n
}

func (f File) String() string { return fmt.Sprintf("%s (%s, %d bytes)", f.Name, f.Kind, f.Size) }
