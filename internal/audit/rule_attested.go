package audit

import (
	"sort"
	"strings"
)

// ruleAttested checks that every artifact of the release — those the last build made
// and those published — is a subject of a non-local bundle made after the build that
// produced its bytes (a bundle made before a rebuild attests other bytes: its subjects
// are names in the log, their digests are only in the bundle).
func ruleAttested(v *view, _ Policy, j *judge) {
	if v.onlyDryRuns() {
		v.dryRunReason(j)
		return
	}
	if _, ok := v.publication(); !ok {
		j.na(v.first(), "nothing was published")
		return
	}
	st := newBuildState()
	published := map[string]located{}
	for _, l := range v.all {
		if err := st.apply(l); err != nil {
			j.bad(l, "%v", err)
			continue
		}
		if l.run.DryRun {
			continue
		}
		for _, name := range publishedNames(l) {
			if _, isArtifact := st.latest[name]; isArtifact {
				published[name] = l
			} else if _, isBundle := st.bundles[name]; !isBundle && name != sumsAsset {
				published[name] = l
			}
		}
	}
	names := map[string]located{}
	for n, a := range st.lastSet {
		names[n] = a.at
	}
	for n, l := range published {
		if _, ok := names[n]; !ok {
			names[n] = l
		}
	}
	sorted := make([]string, 0, len(names))
	for n := range names {
		sorted = append(sorted, n)
	}
	sort.Strings(sorted)
	for _, n := range sorted {
		at := names[n]
		b, ok := st.attested[n]
		a, wasBuilt := st.latest[n]
		switch {
		case !ok:
			if lb, isLocal := st.local[n]; isLocal {
				j.bad(lb.at, "%s is a subject only of %s, a local (dry-run) bundle nobody can verify", n, lb.File)
			} else {
				j.bad(at, "%s is not a subject of any attestation bundle", n)
			}
		case wasBuilt && b.at.pos < a.at.pos:
			j.bad(b.at, "%s: the newest bundle naming it (%s) was made before the build at %s that produced the published bytes", n, b.File, a.at.at())
		default:
			j.ok(b.at, "%s is a subject of %s (sha256 %s, transparency: %s)", n, b.File, short(b.SHA256), transparency(b.at))
		}
	}
}

// publishedNames are the file names an event says left the machine.
func publishedNames(l located) []string {
	switch l.e.Type {
	case "publish.upload":
		if d, err := decodeData[uploadData](l.e); err == nil && d.Outcome != "failed" {
			return []string{d.Artifact}
		}
	case "publish.asset":
		if d, err := decodeData[assetData](l.e); err == nil && d.Outcome != "failed" {
			return []string{d.Asset}
		}
	case "release.final":
		if d, err := decodeData[releaseFinalData](l.e); err == nil {
			names := make([]string, 0, len(d.Assets))
			for n := range d.Assets {
				names = append(names, n)
			}
			return names
		}
	}
	return nil
}

func transparency(l located) string {
	d, _ := decodeData[struct {
		Transparency string `json:"transparency"`
	}](l.e)
	if t := strings.TrimSpace(d.Transparency); t != "" {
		return t
	}
	return "unknown"
}
