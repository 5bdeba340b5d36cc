package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// snapshot is everything a release left at the registries and on GitHub, one
// line per fact, normalized so that two environments (other ports, other
// keys, other signing times) that hold the same release give the same lines:
// files by name and digest, a provenance bundle by the subjects it proves.
func (e *matrixEnv) snapshot() []string {
	e.t.Helper()
	var s []string
	add := func(format string, a ...any) { s = append(s, fmt.Sprintf(format, a...)) }
	for _, f := range e.pypi.Files("hello-releaser") {
		add("pypi %s %s %s sha256=%s type=%s attestations=%d", f.Project, f.Version, f.Filename, f.SHA256, f.PackageType, len(f.Attestations))
	}
	pk, err := e.npm.Packument("hello-releaser")
	if err != nil {
		add("npm: %v", err)
	} else {
		tags, _ := json.Marshal(pk["dist-tags"])
		add("npm dist-tags %s", tags)
		versions, _ := pk["versions"].(map[string]any)
		for v, doc := range versions {
			m, _ := doc.(map[string]any)
			dist, _ := m["dist"].(map[string]any)
			add("npm %s integrity=%v shasum=%v", v, dist["integrity"], dist["shasum"])
		}
	}
	for _, c := range e.crates.Crates() {
		add("crates %s %s checksum=%s", c.Name, c.Version, c.Checksum)
	}
	for _, g := range e.gems.Gems() {
		add("rubygems %s %s %s sha256=%s", g.Name, g.Version, g.Platform, g.SHA256)
	}
	for _, r := range e.gh.Releases("octo-org", "octo-repo") {
		add("release %s name=%q body=%q draft=%v prerelease=%v immutable=%v latest=%v", r.Tag, r.Name, r.Body, r.Draft, r.Prerelease, r.Immutable, r.Latest)
		for _, a := range r.Assets {
			if isBundleName(a.Name) {
				add("release %s asset %s state=%s bundle for %s", r.Tag, a.Name, a.State, bundleSubjects(e.gh.AssetBytes("octo-org", "octo-repo", r.Tag, a.Name)))
				continue
			}
			add("release %s asset %s state=%s type=%s label=%q size=%d sha256=%s", r.Tag, a.Name, a.State, a.ContentType, a.Label, a.Size, a.SHA256)
		}
	}
	for _, b := range e.gh.Attestations("octo-org", "octo-repo") {
		add("attestation for %s", bundleSubjects(b))
	}
	onBuilt := e.gh.TagCommit("octo-org", "octo-repo", "v1.2.3") == gitRun(e.t, e.p.dir, "rev-parse", "HEAD")
	add("tag v1.2.3 on the built commit: %v", onBuilt)
	sort.Strings(s)
	return s
}

func isBundleName(name string) bool { return strings.HasSuffix(name, ".sigstore.json") }

// bundleSubjects names the subjects of the in-toto statement a Sigstore
// bundle signs ("name@sha256, …"), or says why it has none.
func bundleSubjects(bundle []byte) string {
	var b struct {
		DSSE struct {
			Payload string `json:"payload"`
		} `json:"dsseEnvelope"`
	}
	if err := json.Unmarshal(bundle, &b); err != nil {
		return "an unreadable bundle: " + err.Error()
	}
	payload, err := base64.StdEncoding.DecodeString(b.DSSE.Payload)
	if err != nil {
		return "a bundle with an undecodable payload: " + err.Error()
	}
	var st struct {
		Subject []struct {
			Name   string            `json:"name"`
			Digest map[string]string `json:"digest"`
		} `json:"subject"`
	}
	if err := json.Unmarshal(payload, &st); err != nil {
		return "a bundle without a statement: " + err.Error()
	}
	var subj []string
	for _, s := range st.Subject {
		subj = append(subj, s.Name+"@"+s.Digest["sha256"])
	}
	slices.Sort(subj)
	return strings.Join(subj, ", ")
}

// snapshotDiff lists the lines want has more often than got ("-") and got
// more often than want ("+"): a file stored twice shows up.
func snapshotDiff(want, got []string) string {
	count := map[string]int{}
	for _, l := range want {
		count[l]++
	}
	for _, l := range got {
		count[l]--
	}
	var b strings.Builder
	for _, l := range append(slices.Clone(want), got...) {
		switch n := count[l]; {
		case n > 0:
			fmt.Fprintf(&b, "- %s (%d more than got)\n", l, n)
		case n < 0:
			fmt.Fprintf(&b, "+ %s (%d more than want)\n", l, -n)
		}
		count[l] = 0
	}
	return b.String()
}
