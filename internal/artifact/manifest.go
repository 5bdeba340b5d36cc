package artifact

// SchemaVersion is the manifest format this package reads and writes,
// serialised as the top-level "version" field.
const SchemaVersion = 1

// Artifact is a hashed build output as recorded in the manifest.
type Artifact struct {
	Name    string  `json:"name"`
	Path    string  `json:"path"` // slash-separated, relative to the directory holding the manifest file
	Size    int64   `json:"size"`
	Kind    Kind    `json:"kind"`
	Digests Digests `json:"digests"`
}

// Release identifies what a manifest is for.
type Release struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Tag     string `json:"tag,omitempty"`
	Commit  string `json:"commit,omitempty"`
}

// Manifest is the record of a release's artifacts: written by the build,
// re-verified before publishing.
type Manifest struct {
	Version   int        `json:"version"` // must equal SchemaVersion
	Release   Release    `json:"release"`
	Artifacts []Artifact `json:"artifacts"`
}

// Lookup returns the artifact with that name.
func (m *Manifest) Lookup(name string) (Artifact, bool) {
	for _, a := range m.Artifacts {
		if a.Name == name {
			return a, true
		}
	}
	return Artifact{}, false
}
