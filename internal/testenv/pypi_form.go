package testenv

import (
	"net/url"
	"regexp"
	"sort"
	"strings"
)

// The checks below are warehouse's UploadForm (forklift/forms.py) and the metadata
// validation of forklift/metadata.py on top of packaging.metadata, in their order and
// with their texts (the wording of packaging's own messages is from its source and is
// the least certain part: UNCONFIRMED against a live index).

const coreMetadataHelp = "https://packaging.python.org/specifications/core-metadata"

var hex64 = regexp.MustCompile(`(?i)^[A-F0-9]{64}$`)

// pypiMetadataVersions are the versions warehouse supports (SUPPORTED_METADATA_VERSIONS).
var pypiMetadataVersions = map[string]bool{
	"1.0": true, "1.1": true, "1.2": true, "2.1": true, "2.2": true, "2.3": true, "2.4": true, "2.5": true,
}

// pypiFiletypeExtensions is warehouse's _filetype_extension_mapping.
var pypiFiletypeExtensions = map[string][]string{
	"sdist":       {".zip", ".tar.gz"},
	"bdist_wheel": {".whl"},
}

// cleanForm is warehouse's clean-up before validation: values that are "UNKNOWN"
// (distutils' filler) are dropped and NUL characters escaped.
func cleanForm(form url.Values) {
	for k, vs := range form {
		var kept []string
		for _, v := range vs {
			if strings.TrimSpace(v) == "UNKNOWN" {
				continue
			}
			kept = append(kept, strings.ReplaceAll(v, "\x00", `\x00`))
		}
		if len(kept) == 0 {
			delete(form, k)
			continue
		}
		form[k] = kept
	}
}

// last is webob's MultiDict.get: the last value sent for key.
func last(form url.Values, key string) string {
	vs := form[key]
	if len(vs) == 0 {
		return ""
	}
	return vs[len(vs)-1]
}

// validateUploadForm is UploadForm.validate plus warehouse's choice of which error to
// report: "name" first, then the alphabetically first field.
func validateUploadForm(form url.Values) string {
	errs := map[string]string{}
	name, hasName := form["name"]
	switch {
	case !hasName || last(form, "name") == "":
		errs["name"] = "This field is required."
	case !projectNameRE.MatchString(last(form, "name")):
		errs["name"] = "Start and end with a letter or numeral containing only ASCII numeric and '.', '_' and '-'."
	}
	filetype := last(form, "filetype")
	if filetype == "" {
		errs["filetype"] = "This field is required."
	} else if _, ok := pypiFiletypeExtensions[filetype]; !ok {
		errs["filetype"] = "Use a known file type."
	}
	if d := last(form, "sha256_digest"); d != "" && !hex64.MatchString(d) {
		errs["sha256_digest"] = "Use a valid, hex-encoded, SHA256 message digest."
	}
	if d := last(form, "blake2_256_digest"); d != "" && !hex64.MatchString(d) {
		errs["blake2_256_digest"] = "Use a valid, hex-encoded, BLAKE2 message digest."
	}
	if len(errs) > 0 {
		if msg, ok := errs["name"]; ok {
			value := ""
			if len(name) > 0 {
				value = last(form, "name")
			}
			if len(value) > 60 {
				value = value[:30] + "..." + value[len(value)-30:]
			}
			return pyRepr(value) + " is an invalid value for Name. Error: " + msg + " See " + coreMetadataHelp + " for more information."
		}
		keys := make([]string, 0, len(errs))
		for k := range errs {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		return "Invalid value for " + keys[0] + ". Error: " + errs[keys[0]]
	}
	pyversion := last(form, "pyversion")
	if filetype != "sdist" && pyversion == "" {
		return "Invalid value for pyversion. Error: Python version is required for binary distribution uploads."
	}
	if filetype == "sdist" && pyversion != "" && pyversion != "source" {
		return "Invalid value for pyversion. Error: Use 'source' as Python version for an sdist."
	}
	if last(form, "md5_digest") == "" && last(form, "sha256_digest") == "" && last(form, "blake2_256_digest") == "" {
		return "Error: Include at least one message digest."
	}
	return ""
}

// validateMetadata checks the core-metadata fields the emulator interprets, reporting
// metadata-version, then name, then version problems first, as warehouse does. It
// returns the parsed version.
func validateMetadata(form url.Values) (pyVersion, string) {
	fail := func(msg string) (pyVersion, string) {
		if !strings.HasSuffix(msg, ".") {
			msg += "."
		}
		return pyVersion{}, msg + " See " + coreMetadataHelp + " for more information."
	}
	mv := last(form, "metadata_version")
	switch {
	case mv == "":
		return fail("'metadata-version' is a required field")
	case !pypiMetadataVersions[mv]:
		return fail(pyRepr(mv) + " is not a valid metadata version")
	}
	raw := last(form, "version")
	if raw == "" {
		return fail("'version' is a required field")
	}
	v, ok := parsePyVersion(raw)
	if !ok {
		return fail(pyRepr(raw) + " is invalid for 'version'")
	}
	if v.local != "" {
		return fail("The use of local versions in <Version(" + pyRepr(v.String()) + ")> is not allowed.")
	}
	return v, ""
}

// validateFilename is warehouse's _validate_filename.
func validateFilename(filename, filetype string) string {
	for _, c := range filename {
		if c < 32 || c == 127 {
			return "Cannot upload a file with non-printable characters (ordinals 0-31) or the DEL character (ordinal 127) in the name."
		}
	}
	if strings.ContainsAny(filename, `/\`) {
		return `Cannot upload a file with '/' or '\' in the name.`
	}
	ext := ""
	lower := strings.ToLower(filename)
	for _, e := range []string{".tar.gz", ".zip", ".whl"} {
		if strings.HasSuffix(lower, e) && len(filename) > len(e) {
			ext = filename[len(filename)-len(e):]
			break
		}
	}
	if ext == "" {
		return "Invalid file extension: Use .tar.gz, .whl or .zip extension. See https://www.python.org/dev/peps/pep-0527 and https://peps.python.org/pep-0715/ for more information"
	}
	for _, allowed := range pypiFiletypeExtensions[filetype] {
		if ext == allowed {
			return ""
		}
	}
	return "Invalid file extension: Extension " + ext + " is invalid for filetype " + filetype +
		". See https://www.python.org/dev/peps/pep-0527 for more information."
}
