package attest

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// checkGolden compares got with a golden file written by hand from the
// reference (-update rewrites it).
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("differs from %s\n got: %s\nwant: %s", path, got, want)
	}
}

// TestPyPIStatementGolden: the publish attestation's statement as PyPI
// shows it for a real upload (reference §6.1): one subject, publish/v1,
// "predicate":null, compact, digest lowercased.
func TestPyPIStatementGolden(t *testing.T) {
	got, err := PyPIStatement("widget-1.2.3-py3-none-any.whl", "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08")
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "pypi_statement.golden.json", got)
}

func TestPyPIStatementRefusesBadInput(t *testing.T) {
	digest := strings.Repeat("0", 64)
	tests := []struct{ name, filename, digest, want string }{
		{"no file name", "", digest, "needs the distribution's file name"},
		{"a path", "dist/widget-1.2.3.tar.gz", digest, "a file name, not a path"},
		{"not a distribution", "widget-1.2.3.tgz", digest, "not a wheel or sdist"},
		{"short digest", "widget-1.2.3.tar.gz", "abc", `sha256 "abc" is not 64 hex digits`},
		{"sha512 instead", "widget-1.2.3.tar.gz", strings.Repeat("0", 128), "not 64 hex digits"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := PyPIStatement(tt.filename, tt.digest)
			wantErr(t, err, tt.want)
		})
	}
}

// TestNpmStatementGolden: npm's provenance as libnpmpublish writes it
// (reference §6.2): purl subject with the scope's @ as %40, sha512, the
// community build type, builder = the runner environment, no
// runner_environment parameter. goldenClaims runs the job in a reusable
// workflow, which npm's predicate does not mention.
func TestNpmStatementGolden(t *testing.T) {
	b, err := BuildFromClaims(goldenClaims(), "https://github.com/")
	if err != nil {
		t.Fatal(err)
	}
	sha512 := "CF83E1357EEFB8BDF1542850D66D8007D620E4050B5715DC83F4A921D36CE9CE47D0D13C5D85F2B0FF8318D2877EEC2F63B931BD47417A81A538327AF927DA3E"
	got, err := NpmStatement("@octo/widget", "1.2.3", sha512, b)
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "npm_statement.golden.json", got)
}

func TestNpmPurl(t *testing.T) {
	tests := []struct{ name, version, want string }{
		{"widget", "1.2.3", "pkg:npm/widget@1.2.3"},
		{"@octo/widget", "1.0.0-rc.1", "pkg:npm/%40octo/widget@1.0.0-rc.1"},
	}
	for _, tt := range tests {
		if got := NpmPurl(tt.name, tt.version); got != tt.want {
			t.Errorf("NpmPurl(%q, %q) = %q, want %q", tt.name, tt.version, got, tt.want)
		}
	}
}

// TestNpmStatementWorkflowRef: the ref comes whole from workflow_ref, even
// when it holds an "@" that npm's split would cut.
func TestNpmStatementWorkflowRef(t *testing.T) {
	c := goldenClaims()
	c["ref"] = "refs/tags/widget@1.2.3"
	c["workflow_ref"] = "octo-org/octo-repo/.github/workflows/release.yml@refs/tags/widget@1.2.3"
	b, err := BuildFromClaims(c, "")
	if err != nil {
		t.Fatal(err)
	}
	got, err := NpmStatement("widget", "1.2.3", strings.Repeat("a", 128), b)
	if err != nil {
		t.Fatal(err)
	}
	if want := `"workflow":{"ref":"refs/tags/widget@1.2.3","repository":"https://github.com/octo-org/octo-repo","path":".github/workflows/release.yml"}`; !bytes.Contains(got, []byte(want)) {
		t.Errorf("statement %s\nlacks %s", got, want)
	}
}

func TestNpmStatementRefusesBadInput(t *testing.T) {
	good, err := BuildFromClaims(goldenClaims(), "")
	if err != nil {
		t.Fatal(err)
	}
	noRun := good
	noRun.RunID = ""
	sha := strings.Repeat("a", 128)
	tests := []struct {
		name, pkg, version, sha512 string
		build                      Build
		want                       string
	}{
		{"no name", "", "1.0.0", sha, good, "needs the package name"},
		{"upper case", "Widget", "1.0.0", sha, good, `has the character 'W'`},
		{"half a scope", "@octo", "1.0.0", sha, good, "a scoped name is @scope/name"},
		{"no version", "widget", "", sha, good, `version "" is not a version`},
		{"sha256 instead", "widget", "1.0.0", strings.Repeat("a", 64), good, "not 128 hex digits"},
		{"missing build fields", "widget", "1.0.0", sha, noRun, "missing run_id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NpmStatement(tt.pkg, tt.version, tt.sha512, tt.build)
			wantErr(t, err, tt.want)
		})
	}
}
