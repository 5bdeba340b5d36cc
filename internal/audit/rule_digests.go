package audit

import (
	"fmt"
	"sort"
	"strings"
)

// ruleDigestsMatch replays the release and compares every digest that left the machine
// (registry uploads, GitHub release assets as uploaded and as finalized) with what the
// latest build before it recorded; attestation bundles on the release are compared with
// the bundle the attest stage made, SHA256SUMS with the sums of the built artifacts.
func ruleDigestsMatch(v *view, _ Policy, j *judge) {
	if v.onlyDryRuns() {
		v.dryRunReason(j)
		return
	}
	if _, ok := v.publication(); !ok {
		j.na(v.first(), "nothing was published")
		return
	}
	st := newBuildState()
	for _, l := range v.all {
		if err := st.apply(v, l); err != nil {
			j.bad(l, "%v", err)
			continue
		}
		if l.run.DryRun {
			continue
		}
		switch l.e.Type {
		case "publish.upload":
			d, err := data[uploadData](v, l)
			if err != nil {
				j.bad(l, "%v", err)
				continue
			}
			if d.Outcome == "failed" {
				continue
			}
			compareDigest(j, st, l, d.Artifact, d.SHA256, d.Registry+" "+d.Outcome)
		case "publish.asset":
			d, err := data[assetData](v, l)
			if err != nil {
				j.bad(l, "%v", err)
				continue
			}
			if d.Outcome == "failed" {
				continue
			}
			compareDigest(j, st, l, d.Asset, d.SHA256, "GitHub release asset "+d.Outcome)
		case "release.final":
			d, err := data[releaseFinalData](v, l)
			if err != nil {
				j.bad(l, "%v", err)
				continue
			}
			compareFinal(j, st, l, d)
		}
	}
}

// compareDigest judges one published file against the build state.
func compareDigest(j *judge, st *buildState, l located, name, got, what string) {
	if ok, msg := judgeDigest(st, name, got, what); ok {
		j.ok(l, "%s", msg)
	} else {
		j.bad(l, "%s", msg)
	}
}

func judgeDigest(st *buildState, name, got, what string) (bool, string) {
	got = strings.ToLower(strings.TrimPrefix(got, "sha256:"))
	if name == sumsAsset {
		if st.sumsMatch(got) {
			return true, fmt.Sprintf("%s %s sha256 %s = the sums of the built artifacts", what, name, short(got))
		}
		return false, fmt.Sprintf("%s %s has sha256 %s, which is not the sums of the built artifacts (%s)", what, name, orNone(got), sumsOf(st.lastSet))
	}
	want, source, ok := st.expect(name)
	switch {
	case !ok:
		return false, fmt.Sprintf("%s %s (sha256 %s) was never built or attested in this release's logs", what, name, orNone(got))
	case got != want:
		return false, fmt.Sprintf("%s %s has sha256 %s, but it was %s with sha256 %s", what, name, orNone(got), source, want)
	}
	return true, fmt.Sprintf("%s %s sha256 %s = %s", what, name, short(got), source)
}

// compareFinal judges the assets the finalized release reported. GitHub may report an
// asset without a digest; the finalize stage then compared it by downloading it, and
// the log holds nothing to compare here, so such an asset is named but not failed.
func compareFinal(j *judge, st *buildState, l located, d releaseFinalData) {
	if len(d.Assets) == 0 {
		j.bad(l, "release.final lists no assets")
		return
	}
	names := make([]string, 0, len(d.Assets))
	for n := range d.Assets {
		names = append(names, n)
	}
	sort.Strings(names)
	matched := 0
	var undigested []string
	for _, n := range names {
		if d.Assets[n] == "" {
			undigested = append(undigested, n)
			continue
		}
		if ok, msg := judgeDigest(st, n, d.Assets[n], "final release asset"); ok {
			matched++
		} else {
			j.bad(l, "%s", msg)
		}
	}
	msg := fmt.Sprintf("final release %s: %d of %d asset digests match the build", d.Tag, matched, len(names))
	if len(undigested) > 0 {
		msg += "; GitHub gave no digest for " + strings.Join(undigested, ", ")
	}
	j.ok(l, "%s", msg)
}
