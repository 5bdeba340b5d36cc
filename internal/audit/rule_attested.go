package audit

import (
	"sort"
	"strings"
)

// ruleAttested checks that every artifact of the release — each file published and
// every artifact of the build it came from — was, when it was published, a subject of a
// non-local bundle made after the build that produced its bytes (a bundle made before
// a rebuild attests other bytes: the log names a bundle's subjects, their digests are
// only in the bundle). What happens after the last publication (a later dry run that
// builds and signs locally) does not change what was published.
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
	// A name is judged once per build of it: by name and the position of the build
	// (-1 for a name never built).
	type checkKey struct {
		name  string
		build int
	}
	checked := map[checkKey]bool{}
	for _, l := range v.all {
		if err := st.apply(v, l); err != nil {
			j.bad(l, "%v", err)
			continue
		}
		if l.run.DryRun || !v.isPublication(l.run, l.idx) {
			continue
		}
		var names []string
		for _, n := range publishedNames(v, l) {
			if _, isBundle := st.bundles[n]; !isBundle && n != sumsAsset {
				names = append(names, n)
			}
		}
		for n := range st.lastSet {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			key := checkKey{n, -1}
			if a, ok := st.latest[n]; ok {
				key.build = a.at.pos
			}
			if checked[key] {
				continue
			}
			checked[key] = true
			judgeAttested(v, j, st, n, l)
		}
	}
}

// judgeAttested judges one artifact name against the attestations made so far; at is
// where it was published (or, for a built artifact, the first publication after it).
func judgeAttested(v *view, j *judge, st *buildState, n string, at located) {
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
		j.ok(b.at, "%s is a subject of %s (sha256 %s, transparency: %s)", n, b.File, short(b.SHA256), transparency(v, b.at))
	}
}

// publishedNames are the file names an event says left the machine.
func publishedNames(v *view, l located) []string {
	switch l.e.Type {
	case "publish.upload":
		if d, err := data[uploadData](v, l); err == nil && d.Outcome != "failed" {
			return []string{d.Artifact}
		}
	case "publish.asset":
		if d, err := data[assetData](v, l); err == nil && d.Outcome != "failed" {
			return []string{d.Asset}
		}
	case "release.final":
		if d, err := data[releaseFinalData](v, l); err == nil {
			names := make([]string, 0, len(d.Assets))
			for n := range d.Assets {
				names = append(names, n)
			}
			return names
		}
	}
	return nil
}

func transparency(v *view, l located) string {
	d, _ := data[transparencyData](v, l)
	if t := strings.TrimSpace(d.Transparency); t != "" {
		return t
	}
	return "unknown"
}
