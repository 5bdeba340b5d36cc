package artifact

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
)

// Merge combines the partial manifests written by several build jobs into
// one. All must describe the same release: name and version equal, and tag
// and commit equal where both are set (an empty one is filled from another).
// An artifact present in several inputs must be identical in all (size,
// kind, digests) and is kept once; two different files with one name are
// an error naming both. inputs[i]'s paths are relative to inputDirs[i]; the
// result's are relative to outDir, which must therefore contain every file.
func Merge(inputs []*Manifest, inputDirs []string, outDir string) (*Manifest, error) {
	if len(inputs) == 0 {
		return nil, errors.New("merge manifests: none given; pass the partial manifests written by the build jobs")
	}
	if len(inputs) != len(inputDirs) {
		return nil, fmt.Errorf("merge manifests: %d manifests but %d directories", len(inputs), len(inputDirs))
	}
	out := &Manifest{Version: SchemaVersion, Artifacts: []Artifact{}}
	type origin struct {
		input int
		art   Artifact
	}
	byName := map[string]origin{}
	for i, in := range inputs {
		src := fmt.Sprintf("manifest %d of %d (in %s)", i+1, len(inputs), inputDirs[i])
		if in == nil {
			return nil, fmt.Errorf("merge manifests: %s is nil", src)
		}
		if err := validate(in); err != nil {
			return nil, fmt.Errorf("merge manifests: %s: %w", src, err)
		}
		if i == 0 {
			out.Release = in.Release
		} else if err := mergeRelease(&out.Release, in.Release); err != nil {
			return nil, fmt.Errorf("merge manifests: %s: %w", src, err)
		}
		for _, a := range in.Artifacts {
			rel, err := relSlash(outDir, filepath.Join(inputDirs[i], filepath.FromSlash(a.Path)))
			if err != nil {
				return nil, fmt.Errorf("merge manifests: %s: artifact %q: %w: the files must live below the output manifest's directory", src, a.Name, err)
			}
			a.Path = rel
			prev, dup := byName[a.Name]
			if !dup {
				byName[a.Name] = origin{i, a}
				out.Artifacts = append(out.Artifacts, a)
				continue
			}
			if diffs := contentDiffs(prev.art, a); len(diffs) > 0 {
				parts := make([]string, len(diffs))
				for j, df := range diffs {
					parts[j] = fmt.Sprintf("%s %s vs %s", df.field, df.a, df.b)
				}
				return nil, fmt.Errorf("merge manifests: artifact %q differs between manifest %d (in %s) and manifest %d (in %s): %s; two build jobs produced different files with the same name: make the build reproducible or give the outputs distinct names",
					a.Name, prev.input+1, inputDirs[prev.input], i+1, inputDirs[i], strings.Join(parts, "; "))
			}
		}
	}
	slices.SortFunc(out.Artifacts, func(a, b Artifact) int { return strings.Compare(a.Name, b.Name) })
	if err := validate(out); err != nil {
		return nil, fmt.Errorf("merge manifests: result: %w", err)
	}
	return out, nil
}

// mergeRelease folds r into dst, where dst came from earlier inputs.
func mergeRelease(dst *Release, r Release) error {
	if r.Name != dst.Name || r.Version != dst.Version {
		return fmt.Errorf("release is %s %s but earlier manifests are for %s %s; every build job must build the same release", r.Name, r.Version, dst.Name, dst.Version)
	}
	for _, f := range []struct {
		field string
		dst   *string
		v     string
	}{{"tag", &dst.Tag, r.Tag}, {"commit", &dst.Commit, r.Commit}} {
		switch {
		case f.v == "" || f.v == *f.dst:
		case *f.dst == "":
			*f.dst = f.v
		default:
			return fmt.Errorf("release %s is %q but earlier manifests say %q; every build job must build the same commit", f.field, f.v, *f.dst)
		}
	}
	return nil
}
