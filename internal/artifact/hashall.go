package artifact

import (
	"context"
	"fmt"
)

// HashAll hashes files in parallel, at most workers at once (workers <= 0
// means GOMAXPROCS). It stops at the first error, cancelling the rest, and
// otherwise returns one Artifact per file in the input order, with Path made
// relative to baseDir (the manifest's directory) and Kind from the name.
//
// progress, if non-nil, is called from several goroutines at once and must
// be safe for concurrent use.
func HashAll(ctx context.Context, files []File, baseDir string, workers int, progress func(n int64)) ([]Artifact, error) {
	arts := make([]Artifact, len(files))
	// Paths first: a layout error should not cost a pass over every byte.
	for i, f := range files {
		if err := checkName(f.Name); err != nil {
			return nil, fmt.Errorf("artifact %q: name %w", f.Path, err)
		}
		rel, err := relSlash(baseDir, f.Path)
		if err != nil {
			return nil, fmt.Errorf("artifact %q: %w: the manifest's directory must contain the build output, write the manifest higher up", f.Name, err)
		}
		arts[i] = Artifact{Name: f.Name, Path: rel, Kind: DetectKind(f.Name)}
	}
	err := forEach(ctx, len(files), workers, func(ctx context.Context, i int) error {
		d, n, err := Hash(ctx, files[i].Path, progress)
		if err != nil {
			return fmt.Errorf("artifact %q: %w", files[i].Name, err)
		}
		arts[i].Size, arts[i].Digests = n, d
		return nil
	})
	if err != nil {
		return nil, err
	}
	return arts, nil
}
