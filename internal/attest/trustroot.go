package attest

import (
	"context"
	"fmt"

	"github.com/sigstore/sigstore-go/pkg/root"
)

// loadTrustedRoot reads a trusted_root.json, or with path "" fetches
// Sigstore's public-good root over TUF (sigstore-go's embedded TUF root,
// cached under ~/.sigstore), which is what gh uses for public repositories.
func loadTrustedRoot(_ context.Context, path string) (root.TrustedMaterial, error) {
	if path == "" {
		tr, err := root.FetchTrustedRoot()
		if err != nil {
			return nil, fmt.Errorf("fetching Sigstore's public-good trusted root over TUF: %w", err)
		}
		return tr, nil
	}
	tr, err := root.NewTrustedRootFromPath(path)
	if err != nil {
		return nil, fmt.Errorf("reading the trusted root %s: %w", path, err)
	}
	return tr, nil
}
