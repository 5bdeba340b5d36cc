package testenv

import (
	"net/url"
	"sync"
	"time"

	"github.com/sigstore/sigstore-go/pkg/root"
)

// PyPIFile is one file the PyPI emulator stored.
type PyPIFile struct {
	Filename    string
	Project     string // the project's name as first uploaded
	Version     string // the release's version as first uploaded
	PackageType string // "sdist" or "bdist_wheel" (the filetype field)
	PyVersion   string
	MD5         string // hex digests the server computed
	SHA256      string
	BLAKE2b256  string
	Size        int64
	UploadTime  time.Time
	// Form is every form field of the upload that stored the file, except content.
	Form url.Values
	// Path is where the bytes are kept, under the test's temporary directory.
	Path string
	// Attestations are the PEP 740 objects the upload carried (verified, compact JSON,
	// in the order sent); nil when it carried none.
	Attestations [][]byte

	canonicalProject string
}

type pypiRelease struct {
	version   string
	canonical string
	// info is the form of the release's first upload: warehouse builds the release
	// (summary, description, classifiers …) from it and never updates it.
	info    url.Values
	created time.Time
	files   []PyPIFile
}

type pypiProject struct {
	name     string
	releases map[string]*pypiRelease // by canonical version
}

// pypiStore is the emulator's database and file storage.
type pypiStore struct {
	dir string

	mu       sync.Mutex
	projects map[string]*pypiProject // by canonical name
	all      []PyPIFile              // every stored file, oldest first
	uploads  int
	limit    int64 // largest file accepted
	// attestRoot, when set, is the Sigstore trust root attestations are verified
	// against (SetAttestationRoot).
	attestRoot root.TrustedMaterial
}

// pypiMaxFileSize is warehouse's default per-file upload limit.
const pypiMaxFileSize = 100 << 20

func newPyPIStore(dir string) *pypiStore {
	return &pypiStore{dir: dir, projects: map[string]*pypiProject{}, limit: pypiMaxFileSize}
}

func (s *pypiStore) uploadLimit() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.limit
}

func (s *pypiStore) hasProject(canonical string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.projects[canonical] != nil
}

// find looks for a stored file with filename or the same blake2b-256 digest, anywhere
// (warehouse's _is_duplicate_file queries every file).
func (s *pypiStore) find(filename, blake2 string) (PyPIFile, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.projects {
		for _, r := range p.releases {
			for _, f := range r.files {
				if f.Filename == filename || f.BLAKE2b256 == blake2 {
					return f, true
				}
			}
		}
	}
	return PyPIFile{}, false
}

// hasSdist reports whether the release already has an sdist.
func (s *pypiStore) hasSdist(project, canonicalVersion string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.projects[project]
	if p == nil || p.releases[canonicalVersion] == nil {
		return false
	}
	for _, f := range p.releases[canonicalVersion].files {
		if f.PackageType == "sdist" {
			return true
		}
	}
	return false
}

// add stores f in its release, creating project and release on first use.
func (s *pypiStore) add(canonicalProject, canonicalVersion string, f PyPIFile, now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.projects[canonicalProject]
	if p == nil {
		p = &pypiProject{name: f.Project, releases: map[string]*pypiRelease{}}
		s.projects[canonicalProject] = p
	}
	// Warehouse renames the project to the newest upload's spelling.
	p.name = f.Project
	r := p.releases[canonicalVersion]
	if r == nil {
		r = &pypiRelease{version: f.Version, canonical: canonicalVersion, info: f.Form, created: now}
		p.releases[canonicalVersion] = r
	}
	f.canonicalProject = canonicalProject
	r.files = append(r.files, f)
	s.all = append(s.all, f)
	s.uploads++
}

// releaseCreated is when a release got its first file.
func (s *pypiStore) releaseCreated(project, canonicalVersion string) (time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p := s.projects[project]; p != nil && p.releases[canonicalVersion] != nil {
		return p.releases[canonicalVersion].created, true
	}
	return time.Time{}, false
}

// release returns a copy of a release and the project's current name.
func (s *pypiStore) release(project, canonicalVersion string) (name string, rel pypiRelease, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.projects[project]
	if p == nil {
		return "", pypiRelease{}, false
	}
	r := p.releases[canonicalVersion]
	if r == nil {
		return p.name, pypiRelease{}, false
	}
	c := *r
	c.files = append([]PyPIFile(nil), r.files...)
	return p.name, c, true
}

// projectName is the current name of a project ("" when absent).
func (s *pypiStore) projectName(canonical string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p := s.projects[canonical]; p != nil {
		return p.name
	}
	return ""
}

// Files lists the files stored for project (any spelling of its name), oldest first.
func (p *PyPI) Files(project string) []PyPIFile {
	s := p.store
	s.mu.Lock()
	defer s.mu.Unlock()
	want := canonicalName(project)
	var files []PyPIFile
	for _, f := range s.all {
		if f.canonicalProject == want {
			files = append(files, f)
		}
	}
	return files
}

// Uploads counts upload requests that stored a file (an identical re-upload, answered
// 200 without storing anything, does not count).
func (p *PyPI) Uploads() int {
	p.store.mu.Lock()
	defer p.store.mu.Unlock()
	return p.store.uploads
}

// SetUploadLimit changes the largest file the emulator accepts (warehouse's default,
// and the emulator's, is 100 MiB); benchmarks with bigger artifacts raise it.
func (p *PyPI) SetUploadLimit(bytes int64) {
	p.store.mu.Lock()
	defer p.store.mu.Unlock()
	p.store.limit = bytes
}
