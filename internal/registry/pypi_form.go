package registry

import (
	"bytes"
	"io"
	"mime/multipart"
	"strings"

	"github.com/releaserhq/releaser/internal/pkgmeta"
)

// formField is one field of the legacy upload form.
type formField struct{ name, value string }

// pypiMetadataFields maps core metadata headers (lower case) to the upload
// form's snake_case fields (reference §3.4), and says which may repeat.
// Name, Version, Metadata-Version and Description are sent separately.
var pypiMetadataFields = map[string]struct {
	field string
	multi bool
}{
	"summary":                  {"summary", false},
	"description-content-type": {"description_content_type", false},
	"keywords":                 {"keywords", false}, // one comma-joined value, as written
	"home-page":                {"home_page", false},
	"download-url":             {"download_url", false},
	"author":                   {"author", false},
	"author-email":             {"author_email", false},
	"maintainer":               {"maintainer", false},
	"maintainer-email":         {"maintainer_email", false},
	"license":                  {"license", false},
	"license-expression":       {"license_expression", false},
	"license-file":             {"license_file", true},
	"classifier":               {"classifiers", true},
	"platform":                 {"platform", true},
	"supported-platform":       {"supported_platform", true},
	"requires-python":          {"requires_python", false},
	"requires-dist":            {"requires_dist", true},
	"provides-extra":           {"provides_extra", true},
	"project-url":              {"project_urls", true},
	"dynamic":                  {"dynamic", true},
	"requires-external":        {"requires_external", true},
	"provides-dist":            {"provides_dist", true},
	"obsoletes-dist":           {"obsoletes_dist", true},
	"requires":                 {"requires", true},
	"provides":                 {"provides", true},
	"obsoletes":                {"obsoletes", true},
	"import-name":              {"import_name", true},
	"import-namespace":         {"import_namespace", true},
}

// pypiForm is every field twine would send for this file except content.
// PyPI builds the release page from the first upload's form, so all of
// the metadata goes, not just what identifies the file.
func pypiForm(p *pkgmeta.Python, a Artifact) []formField {
	m := p.Metadata
	fields := []formField{
		{":action", "file_upload"},
		{"protocol_version", "1"},
		{"name", m.Name()},
		{"version", m.Version()},
		{"filetype", p.Filetype},
		{"pyversion", p.PyVersion},
		{"metadata_version", m.MetadataVersion()},
	}
	seen := map[string]bool{}
	for _, f := range m.Fields {
		spec, ok := pypiMetadataFields[strings.ToLower(f.Name)]
		if !ok || (!spec.multi && seen[spec.field]) {
			// Unknown headers are not form fields; a repeated single-use
			// field keeps its first value, as packaging reads it.
			continue
		}
		seen[spec.field] = true
		fields = append(fields, formField{spec.field, f.Value})
	}
	if d := m.Description(); d != "" {
		fields = append(fields, formField{"description", d})
	}
	fields = append(fields,
		formField{"sha256_digest", a.SHA256},
		formField{"blake2_256_digest", a.BLAKE2b256},
	)
	return fields
}

// multipartLayout is a multipart/form-data body with the file's bytes
// left out: head (every field and the content part's header) + file +
// tail (the closing boundary). Its length is known before anything is
// sent, and the file never has to be in memory.
type multipartLayout struct {
	contentType string
	head, tail  []byte
}

// switchWriter lets one multipart.Writer write into two buffers: the
// parts before the file, and the closing boundary after it.
type switchWriter struct{ w io.Writer }

func (s *switchWriter) Write(p []byte) (int, error) { return s.w.Write(p) }

func newMultipart(fields []formField, filename string) (multipartLayout, error) {
	var head, tail bytes.Buffer
	sw := &switchWriter{w: &head}
	mw := multipart.NewWriter(sw)
	for _, f := range fields {
		if err := mw.WriteField(f.name, f.value); err != nil {
			return multipartLayout{}, err
		}
	}
	// CreateFormFile writes Content-Type: application/octet-stream, what
	// twine sends (PyPI refuses an empty or image/* type).
	if _, err := mw.CreateFormFile("content", filename); err != nil {
		return multipartLayout{}, err
	}
	sw.w = &tail
	if err := mw.Close(); err != nil {
		return multipartLayout{}, err
	}
	return multipartLayout{contentType: mw.FormDataContentType(), head: head.Bytes(), tail: tail.Bytes()}, nil
}
