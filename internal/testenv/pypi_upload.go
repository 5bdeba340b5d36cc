package testenv

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// pypiReleaseMaxAge is how old a release may be and still get new files (warehouse
// #19727, reference §3.4).
const pypiReleaseMaxAge = 14 * 24 * time.Hour

func (p *PyPI) routeUploads(mux *http.ServeMux) {
	mux.HandleFunc("POST /legacy/{$}", p.serveUpload)
	mux.HandleFunc("POST /legacy", p.serveMissingSlash)
	mux.HandleFunc("GET /pypi/{project}/{version}/json", p.serveReleaseJSON)
	mux.HandleFunc("GET /packages/{path...}", p.servePackage)
}

// helpURL is request.help_url(_anchor=anchor) at this index.
func (p *PyPI) helpURL(anchor string) string {
	host := "https://pypi.org"
	if p.audience == "testpypi" {
		host = "https://test.pypi.org"
	}
	return host + "/help/#" + anchor
}

// serveMissingSlash is warehouse's redirect of POST /legacy (text from warehouse's
// missing_trailing_slash_redirect view; the reference only says "308 with message").
func (p *PyPI) serveMissingSlash(w http.ResponseWriter, r *http.Request) {
	writeReason(w, r, http.StatusPermanentRedirect,
		"An upload was attempted to /legacy but the expected upload URL is /legacy/ (with a trailing slash)",
		http.Header{"Location": {"/legacy/"}})
}

// serveUpload is warehouse's file_upload (reference §3.4), checks in warehouse's order.
// The body is parsed first, as Pyramid does to route on :action.
func (p *PyPI) serveUpload(w http.ResponseWriter, r *http.Request) {
	up, multipart, err := readPyPIUpload(r, p.store.dir, p.store.uploadLimit())
	if err != nil {
		writeReason(w, r, http.StatusBadRequest, "Bad Request", nil)
		return
	}
	if !multipart {
		writeReason(w, r, http.StatusNotFound, "Not Found", nil)
		return
	}
	// The spooled file goes before the answer, so a client never sees a refusal while
	// the refused bytes are still on disk.
	fail := func(status int, msg string) {
		up.discard()
		writeReason(w, r, status, msg, nil)
	}

	// Action routing (warehouse forklift/legacy.py; texts of the retired actions are
	// from warehouse's source, not the reference).
	switch last(up.form, ":action") {
	case "file_upload":
	case "submit", "submit_pkg_info":
		fail(http.StatusGone, "Project pre-registration is no longer required or supported, upload your files instead.")
		return
	case "doc_upload":
		fail(http.StatusGone, "Uploading documentation is no longer supported, we recommend using https://readthedocs.org/.")
		return
	default:
		fail(http.StatusNotFound, "Not Found")
		return
	}

	cred, _ := pypiCredential(r)
	tok, known := p.tokens.lookup(cred)
	if !known {
		fail(http.StatusForbidden, "Invalid or non-existent authentication information. See "+p.helpURL("invalid-auth")+" for more information.")
		return
	}
	cleanForm(up.form)
	if pv, ok := up.form["protocol_version"]; ok && pv[len(pv)-1] != "1" {
		fail(http.StatusBadRequest, "Unknown protocol version.")
		return
	}
	if len(up.tuples) > 0 {
		fail(http.StatusBadRequest, up.tuples[0]+": Should not be a tuple.")
		return
	}
	if msg := validateUploadForm(up.form); msg != "" {
		fail(http.StatusBadRequest, msg)
		return
	}
	version, msg := validateMetadata(up.form)
	if msg != "" {
		fail(http.StatusBadRequest, msg)
		return
	}
	if up.content == nil {
		fail(http.StatusBadRequest, "Upload payload does not have a file.")
		return
	}
	name := last(up.form, "name")
	project := canonicalName(name)
	if !p.knownProject(project) {
		fail(http.StatusBadRequest, "Non-user identities cannot create new projects. This was probably caused by "+
			"successfully using a pending publisher but specifying the project name incorrectly (either in the "+
			"publisher or in your project's metadata). Please ensure that both match. "+
			"See: https://docs.pypi.org/trusted-publishers/troubleshooting/")
		return
	}
	if msg := p.permission(tok, project, name); msg != "" {
		fail(http.StatusForbidden, msg)
		return
	}
	if msg := p.checkFile(up, project, name, version); msg != "" {
		if msg == pypiDuplicate {
			// Identical file: 200 and nothing stored (warehouse dooms the transaction).
			up.discard()
			w.Header().Set("Content-Type", "text/html; charset=UTF-8")
			w.WriteHeader(http.StatusOK)
			return
		}
		fail(http.StatusBadRequest, msg)
		return
	}
	var attestations [][]byte
	if _, sent := up.form["attestations"]; sent {
		if attestations, msg = p.checkAttestations(tok, up.form, up.content.filename, up.content.sha256); msg != "" {
			fail(http.StatusBadRequest, msg)
			return
		}
	}
	if err := p.storeFile(up, project, name, version, attestations); err != nil {
		fail(http.StatusInternalServerError, "Internal Server Error")
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=UTF-8")
	w.WriteHeader(http.StatusOK)
}

// permission applies the token's caveats in the order warehouse's trusted-publishing
// macaroons carry them (publisher and its projects, then expiry). The texts are
// warehouse's ("Invalid API Token: " + the failing caveat); the reference's "The given
// token isn't allowed to upload to project …" is warehouse's answer when a token's
// caveats pass but its owner lacks the role, which a trusted publisher cannot hit.
func (p *PyPI) permission(tok pypiToken, project, name string) string {
	if !tok.covers(project) {
		display := p.store.projectName(project)
		if display == "" {
			display = name
		}
		return "Invalid API Token: OIDC scoped token is not valid for project '" + display + "'"
	}
	if !p.is.Clock().Now().Before(tok.expires) {
		return "Invalid API Token: token is expired"
	}
	return ""
}

// pypiDuplicate marks an identical re-upload in checkFile's answer.
const pypiDuplicate = "\x00duplicate"

// checkFile runs warehouse's checks on the file itself: name, content type, size,
// digests, duplicates, release age, one sdist, archive validity, filename rules.
func (p *PyPI) checkFile(up *pypiUpload, project, name string, version pyVersion) string {
	c := up.content
	filetype := last(up.form, "filetype")
	if msg := validateFilename(c.filename, filetype); msg != "" {
		return msg
	}
	if c.contentType == "" || strings.HasPrefix(c.contentType, "image/") {
		return "Invalid distribution file."
	}
	if c.tooLarge {
		return "File too large. Limit for project " + pyRepr(name) + " is " +
			strconv.FormatInt(p.store.uploadLimit()>>20, 10) + " MB. See https://docs.pypi.org/project-management/storage-limits" +
			"#requesting-a-file-size-limit-increase for more information."
	}
	for _, d := range []struct{ field, got string }{
		{"md5_digest", c.md5}, {"sha256_digest", c.sha256}, {"blake2_256_digest", c.blake2},
	} {
		if sent := last(up.form, d.field); sent != "" && !strings.EqualFold(sent, d.got) {
			return "The digest supplied does not match a digest calculated from the uploaded file."
		}
	}
	if existing, found := p.store.find(c.filename, c.blake2); found {
		if existing.Filename == c.filename && existing.SHA256 == c.sha256 && existing.BLAKE2b256 == c.blake2 {
			return pypiDuplicate
		}
		return "File already exists (" + pyRepr(c.filename) + ", with blake2_256 hash " + pyRepr(c.blake2) +
			"). See " + p.helpURL("file-name-reuse") + " for more information."
	}
	if created, ok := p.store.releaseCreated(project, version.canonical()); ok &&
		p.is.Clock().Now().Sub(created) > pypiReleaseMaxAge {
		return "Uploading new files to releases older than 14 days is not allowed."
	}
	if filetype == "sdist" && p.store.hasSdist(project, version.canonical()) {
		return "Only one sdist may be uploaded per release."
	}
	if msg := distFileProblem(c.path, c.filename); msg != "" {
		return "Invalid distribution file. " + msg
	}
	// By now warehouse has renamed the project to the upload's spelling of its name.
	licenses := up.form["license_file"]
	if filetype == "sdist" {
		return sdistNameProblem(c, project, name, version, licenses)
	}
	return wheelNameProblem(c, project, name, version, licenses)
}

func sdistNameProblem(c *pypiContent, project, display string, version pyVersion, licenses []string) string {
	fileName, _, ok := parseSdistFilename(c.filename)
	if !ok {
		return "Invalid source distribution filename: " + c.filename
	}
	if fileName != project {
		return "Start filename for " + pyRepr(display) + " with " + pyRepr(underscored(project)) + "."
	}
	// PEP 625: the filename must be exactly the normalised one.
	expected := underscored(project) + "-" + version.String() + ".tar.gz"
	if c.filename != expected {
		return "Filename " + pyRepr(c.filename) + " is invalid, should be " + pyRepr(expected) + "."
	}
	return sdistLicenseProblem(c.path, c.filename, licenses)
}

func wheelNameProblem(c *pypiContent, project, display string, version pyVersion, licenses []string) string {
	fileName, fileVersion, platforms, problem := parseWheelFilename(c.filename)
	if problem != "" {
		return problem
	}
	for _, plat := range platforms {
		if !validPlatformTag(plat) {
			return "Binary wheel '" + c.filename + "' has an unsupported platform tag '" + plat + "'."
		}
	}
	if canonical := canonicalName(display); canonical != fileName {
		return "Start filename for " + pyRepr(display) + " with " + pyRepr(underscored(canonical)) + "."
	}
	// PEP 427 / PEP 503: the name part must be the fully normalised project name.
	namePart, _, _ := strings.Cut(c.filename, "-")
	if namePart != underscored(project) {
		return "Filename " + pyRepr(c.filename) + " should contain the normalized project name " +
			pyRepr(underscored(project)) + ", not " + pyRepr(namePart) + "."
	}
	if fileVersion.String() != version.String() {
		return "Version in filename should be " + pyRepr(version.String()) + " not " + pyRepr(fileVersion.String()) + "."
	}
	return wheelProblem(c.path, c.filename, licenses)
}

// underscored is a canonical name as it appears in file names.
func underscored(canonical string) string { return strings.ReplaceAll(canonical, "-", "_") }

// storeFile moves the spooled file into the store (at warehouse's blake2-based path)
// and records it.
func (p *PyPI) storeFile(up *pypiUpload, project, name string, version pyVersion, attestations [][]byte) error {
	c := up.content
	dst := filepath.Join(p.store.dir, c.blake2[:2], c.blake2[2:4], c.blake2[4:], c.filename)
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	if err := os.Rename(c.path, dst); err != nil {
		return err
	}
	c.path = ""
	form := url.Values{}
	for k, vs := range up.form {
		form[k] = append([]string(nil), vs...)
	}
	p.store.add(project, version.canonical(), PyPIFile{
		Filename:     c.filename,
		Project:      name,
		Version:      last(up.form, "version"),
		PackageType:  last(up.form, "filetype"),
		PyVersion:    pyVersionField(up.form),
		MD5:          c.md5,
		SHA256:       c.sha256,
		BLAKE2b256:   c.blake2,
		Size:         c.size,
		UploadTime:   p.is.Clock().Now(),
		Form:         form,
		Path:         dst,
		Attestations: attestations,
	}, p.is.Clock().Now())
	return nil
}

// pyVersionField is the stored python_version: "source" for an sdist sent without one.
func pyVersionField(form map[string][]string) string {
	v := last(form, "pyversion")
	if v == "" && last(form, "filetype") == "sdist" {
		return "source"
	}
	return v
}
