package github

// Release is a GitHub release as releaser needs it.
type Release struct {
	ID                           int64
	Tag, Name, HTMLURL           string // a draft's HTMLURL names "untagged-…", not the tag
	Draft, Prerelease, Immutable bool
	Assets                       []Asset // as of when the release was read

	owner, repo string // where it lives; set by the Client that read it
}

// Repository is "owner/repo", the repository the release belongs to.
func (r *Release) Repository() string { return r.owner + "/" + r.repo }

// Asset is a file attached to a release.
type Asset struct {
	ID     int64
	Name   string
	Size   int64
	Digest string // "sha256:<hex>" as GitHub computed it, or "" when GitHub gives none
	URL    string // browser_download_url (a draft's names "untagged-…" until published)
	State  string // "uploaded"; anything else is an interrupted upload
}

// stateUploaded is the only state of a complete asset.
const stateUploaded = "uploaded"

// wireRelease is the part of GitHub's release JSON releaser reads. go-github v60's
// RepositoryRelease has no "immutable" field, hence our own type.
type wireRelease struct {
	ID         int64       `json:"id"`
	TagName    string      `json:"tag_name"`
	Name       *string     `json:"name"`
	HTMLURL    string      `json:"html_url"`
	Draft      bool        `json:"draft"`
	Prerelease bool        `json:"prerelease"`
	Immutable  bool        `json:"immutable"`
	Assets     []wireAsset `json:"assets"`
}

// wireAsset is the part of GitHub's release asset JSON releaser reads. go-github v60's
// ReleaseAsset has no "digest" field (added to the API in June 2025).
type wireAsset struct {
	ID                 int64   `json:"id"`
	Name               string  `json:"name"`
	Size               int64   `json:"size"`
	Digest             *string `json:"digest"`
	BrowserDownloadURL string  `json:"browser_download_url"`
	State              string  `json:"state"`
}

func (w wireRelease) release(owner, repo string) *Release {
	r := &Release{
		ID: w.ID, Tag: w.TagName, HTMLURL: w.HTMLURL,
		Draft: w.Draft, Prerelease: w.Prerelease, Immutable: w.Immutable,
		owner: owner, repo: repo,
	}
	if w.Name != nil {
		r.Name = *w.Name
	}
	for _, a := range w.Assets {
		r.Assets = append(r.Assets, a.asset())
	}
	return r
}

func (w wireAsset) asset() Asset {
	a := Asset{ID: w.ID, Name: w.Name, Size: w.Size, URL: w.BrowserDownloadURL, State: w.State}
	if w.Digest != nil {
		a.Digest = *w.Digest
	}
	return a
}
