package testenv

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// TestSigstoreJSVerifies hands the emulator's bundles to sigstore-js
// (testdata/sigstore-js/verify.js), the independent verifier: it re-derives Rekor's
// canonical body, matches the checkpoint's signer name against the tlog's baseUrl and
// requires an SCT by default, which sigstore-go does not all do. Both shapes verify with
// sigstore-js' default thresholds; a damaged payload does not.
func TestSigstoreJSVerifies(t *testing.T) {
	_, jsDir := SigstoreJS(t)
	script := filepath.Join(jsDir, "verify.js")
	is, ss := newSigstoreEnv(t)
	rekor := mustSign(t, is, ss, signing{rekor: true})
	tsa := mustSign(t, is, ss, signing{tsa: true})
	damaged := proto.Clone(rekor).(*protobundle.Bundle)
	damaged.GetDsseEnvelope().Payload = append(damaged.GetDsseEnvelope().Payload, ' ')

	tests := []struct {
		name    string
		pb      *protobundle.Bundle
		tlogs   string
		wantOK  bool
		wantErr string // sigstore-js' error code
	}{
		{"rekor", rekor, "1", true, ""},
		{"tsa", tsa, "0", true, ""},
		{"damaged payload", damaged, "1", false, "TLOG_BODY_ERROR"},
	}
	dir := t.TempDir()
	art := filepath.Join(dir, "artifact")
	if err := os.WriteFile(art, artifact, 0o644); err != nil {
		t.Fatal(err)
	}
	san := "https://github.com/" + DefaultClaims()["job_workflow_ref"].(string)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := protojson.Marshal(tc.pb)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, tc.name+".json")
			if err := os.WriteFile(path, b, 0o644); err != nil {
				t.Fatal(err)
			}
			cmd := exec.CommandContext(context.Background(), "node", script, "--trusted-root", ss.TrustedRootPath(),
				"--bundle", path, "--artifact", art, "--cert-identity", san, "--cert-issuer", is.URL(),
				"--tlog-threshold", tc.tlogs)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err = cmd.Run()
			var exit *exec.ExitError
			if err != nil && (!errors.As(err, &exit) || exit.ExitCode() != 1) {
				t.Fatalf("verify.js: %v\nstdout %s\nstderr %s", err, stdout.Bytes(), stderr.Bytes())
			}
			var out struct {
				OK         bool              `json:"ok"`
				Code       string            `json:"code"`
				Error      string            `json:"error"`
				SAN        string            `json:"san"`
				Extensions map[string]string `json:"extensions"`
			}
			if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
				t.Fatalf("verify.js output %q: %v", stdout.Bytes(), err)
			}
			if out.OK != tc.wantOK || out.Code != tc.wantErr {
				t.Fatalf("ok %v, code %q (%s); want ok %v, code %q", out.OK, out.Code, out.Error, tc.wantOK, tc.wantErr)
			}
			if tc.wantOK && (out.SAN != san || out.Extensions["1.3.6.1.4.1.57264.1.12"] != "https://github.com/"+DefaultOwner+"/"+DefaultRepo) {
				t.Errorf("san %q, extensions %v", out.SAN, out.Extensions)
			}
		})
	}
}
