package testenv

import (
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
)

// serveReleaseJSON is warehouse's JSON API for one release (legacy/api/json.py,
// reference §3.4 "Idempotency check"): the release's metadata from its first upload
// and every file with its digests. A name spelled differently from the project's is
// redirected (301) to the project's own spelling, as warehouse does.
func (p *PyPI) serveReleaseJSON(w http.ResponseWriter, r *http.Request) {
	name, version := r.PathValue("project"), r.PathValue("version")
	canonical := canonicalName(name)
	current := p.store.projectName(canonical)
	if current == "" {
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
		return
	}
	if current != name {
		http.Redirect(w, r, "/pypi/"+url.PathEscape(current)+"/"+url.PathEscape(version)+"/json", http.StatusMovedPermanently)
		return
	}
	cv := version
	if v, ok := parsePyVersion(version); ok {
		cv = v.canonical()
	}
	_, rel, ok := p.store.release(canonical, cv)
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"info":            p.releaseInfo(current, rel),
		"last_serial":     len(rel.files),
		"urls":            p.releaseURLs(rel),
		"vulnerabilities": []any{},
	})
}

// releaseInfo is the "info" object, built from the form of the release's first upload.
func (p *PyPI) releaseInfo(project string, rel pypiRelease) map[string]any {
	f := rel.info
	opt := func(key string) any {
		if v := last(f, key); v != "" {
			return v
		}
		return nil
	}
	list := func(key string) any {
		if vs := f[key]; len(vs) > 0 {
			return append([]string(nil), vs...)
		}
		return nil
	}
	var projectURLs map[string]string
	for _, pu := range f["project_urls"] {
		label, u, ok := strings.Cut(pu, ", ")
		if ok {
			if projectURLs == nil {
				projectURLs = map[string]string{}
			}
			projectURLs[label] = u
		}
	}
	classifiers := f["classifiers"]
	if classifiers == nil {
		classifiers = []string{}
	}
	base := p.URL() + "/project/" + project + "/"
	return map[string]any{
		"author":                   opt("author"),
		"author_email":             opt("author_email"),
		"bugtrack_url":             nil,
		"classifiers":              classifiers,
		"description":              last(f, "description"),
		"description_content_type": opt("description_content_type"),
		"docs_url":                 nil,
		"download_url":             opt("download_url"),
		"downloads":                map[string]int{"last_day": -1, "last_month": -1, "last_week": -1},
		"dynamic":                  list("dynamic"),
		"home_page":                opt("home_page"),
		"keywords":                 opt("keywords"),
		"license":                  opt("license"),
		"license_expression":       opt("license_expression"),
		"license_files":            list("license_file"),
		"maintainer":               opt("maintainer"),
		"maintainer_email":         opt("maintainer_email"),
		"name":                     project,
		"package_url":              base,
		"platform":                 opt("platform"),
		"project_url":              base,
		"project_urls":             projectURLs,
		"provides_extra":           list("provides_extra"),
		"release_url":              base + rel.version + "/",
		"requires_dist":            list("requires_dist"),
		"requires_python":          opt("requires_python"),
		"summary":                  opt("summary"),
		"version":                  rel.version,
		"yanked":                   false,
		"yanked_reason":            nil,
	}
}

// releaseURLs is the "urls" array: one entry per file, oldest first.
func (p *PyPI) releaseURLs(rel pypiRelease) []map[string]any {
	urls := make([]map[string]any, 0, len(rel.files))
	for _, f := range rel.files {
		rel, err := filepath.Rel(p.store.dir, f.Path)
		if err != nil {
			rel = f.Filename
		}
		urls = append(urls, map[string]any{
			"comment_text":         "",
			"digests":              map[string]string{"blake2b_256": f.BLAKE2b256, "md5": f.MD5, "sha256": f.SHA256},
			"downloads":            -1,
			"filename":             f.Filename,
			"has_sig":              false,
			"md5_digest":           f.MD5,
			"packagetype":          f.PackageType,
			"python_version":       f.PyVersion,
			"requires_python":      nilIfEmpty(last(f.Form, "requires_python")),
			"size":                 f.Size,
			"upload_time":          f.UploadTime.UTC().Format("2006-01-02T15:04:05"),
			"upload_time_iso_8601": f.UploadTime.UTC().Format("2006-01-02T15:04:05.000000Z"),
			"url":                  p.URL() + "/packages/" + filepath.ToSlash(rel),
			"yanked":               false,
			"yanked_reason":        nil,
		})
	}
	return urls
}

// servePackage serves a stored file, as files.pythonhosted.org does.
func (p *PyPI) servePackage(w http.ResponseWriter, r *http.Request) {
	rel := filepath.FromSlash(r.PathValue("path"))
	if !filepath.IsLocal(rel) {
		http.NotFound(w, r)
		return
	}
	http.ServeFile(w, r, filepath.Join(p.store.dir, rel))
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}
