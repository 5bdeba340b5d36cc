package pkgmeta

// NewCrate is the JSON cargo sends ahead of the .crate in a crates.io
// publish request (cargo's crates-io crate, reference §5.3). crates.io
// reads only name, vers, readme and readme_file from it and takes the rest
// from the Cargo.toml in the tarball; the full shape is sent for the sake
// of other registries that implement cargo's protocol. Absent optional
// values are null and empty lists [] (serde's output for Option and Vec).
type NewCrate struct {
	Name          string                       `json:"name"`
	Vers          string                       `json:"vers"`
	Deps          []NewCrateDependency         `json:"deps"`
	Features      map[string][]string          `json:"features"`
	Authors       []string                     `json:"authors"`
	Description   *string                      `json:"description"`
	Documentation *string                      `json:"documentation"`
	Homepage      *string                      `json:"homepage"`
	Readme        *string                      `json:"readme"`
	ReadmeFile    *string                      `json:"readme_file"`
	Keywords      []string                     `json:"keywords"`
	Categories    []string                     `json:"categories"`
	License       *string                      `json:"license"`
	LicenseFile   *string                      `json:"license_file"`
	Repository    *string                      `json:"repository"`
	Badges        map[string]map[string]string `json:"badges"`
	Links         *string                      `json:"links"`
	RustVersion   *string                      `json:"rust_version"`
}

// NewCrateDependency is one entry of NewCrate.Deps.
type NewCrateDependency struct {
	Optional        bool     `json:"optional"`
	DefaultFeatures bool     `json:"default_features"`
	Name            string   `json:"name"` // the crate's real name (package = "..." when renamed)
	Features        []string `json:"features"`
	VersionReq      string   `json:"version_req"`
	Target          *string  `json:"target"` // a cfg() or target triple for [target.X.dependencies]
	Kind            string   `json:"kind"`   // "normal", "dev" or "build"
	// Registry is the index URL of a dependency from another registry.
	Registry *string `json:"registry,omitempty"`
	// ExplicitNameInToml is the key a renamed dependency has in Cargo.toml.
	ExplicitNameInToml *string `json:"explicit_name_in_toml,omitempty"`
	// Artifact, BindepTarget and Lib describe artifact dependencies
	// (unstable in cargo).
	Artifact     []string `json:"artifact,omitempty"`
	BindepTarget *string  `json:"bindep_target,omitempty"`
	Lib          bool     `json:"lib,omitempty"`
}
