package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
)

// sumsAsset is the checksum file the publish stage attaches next to the artifacts.
const sumsAsset = "SHA256SUMS"

// built is one artifact as a build recorded it.
type built struct {
	sha256 string
	at     located
}

// bundle is one attest.bundle event.
type bundle struct {
	bundleData
	at located
}

// buildState replays the build and attest events of a release up to a point: what each
// artifact name was last built as, what the last build stage produced as a whole, and
// which bundles were made. Later stages read the output directory the last build left,
// so "the latest build before this event" is what an event must agree with.
type buildState struct {
	latest   map[string]built // newest digest per name, over every build
	lastSet  map[string]built // the artifacts of the newest build stage alone
	lastRun  *RunRecord
	bundles  map[string]bundle // by file name, the newest
	attested map[string]bundle // by subject name, the newest non-local bundle naming it
	local    map[string]bundle // by subject name, the newest local bundle naming it
}

func newBuildState() *buildState {
	return &buildState{latest: map[string]built{}, lastSet: map[string]built{}, bundles: map[string]bundle{},
		attested: map[string]bundle{}, local: map[string]bundle{}}
}

// apply takes one event into the state; it returns an error for a build or attest
// event whose data cannot be read.
func (b *buildState) apply(v *view, l located) error {
	switch l.e.Type {
	case "artifact":
		d, err := data[artifactData](v, l)
		if err != nil {
			return err
		}
		if l.run != b.lastRun {
			// A build stage empties the output directory first: a new run's build
			// replaces the set, it does not add to it.
			b.lastRun, b.lastSet = l.run, map[string]built{}
		}
		a := built{sha256: strings.ToLower(d.Digests.SHA256), at: l}
		b.latest[d.Name], b.lastSet[d.Name] = a, a
	case "attest.bundle":
		d, err := data[bundleData](v, l)
		if err != nil {
			return err
		}
		bd := bundle{bundleData: d, at: l}
		b.bundles[d.File] = bd
		for _, s := range d.Subjects {
			if d.Local || l.run.DryRun {
				b.local[s] = bd
			} else {
				b.attested[s] = bd
			}
		}
	}
	return nil
}

// expect says what digest an asset or upload named name must have, and why.
func (b *buildState) expect(name string) (digest, source string, ok bool) {
	if a, ok := b.latest[name]; ok {
		return a.sha256, "built at " + a.at.at(), true
	}
	if bd, ok := b.bundles[name]; ok {
		return strings.ToLower(bd.SHA256), "bundle made at " + bd.at.at(), true
	}
	if name == sumsAsset {
		if len(b.lastSet) == 0 {
			return "", "", false
		}
		return sumsOf(b.lastSet), fmt.Sprintf("computed from the %d artifacts built at %s", len(b.lastSet), b.lastRun.Source), true
	}
	return "", "", false
}

// sumsMatch accepts SHA256SUMS computed from the last build alone or from every
// artifact built (a matrix of build jobs merges partial manifests).
func (b *buildState) sumsMatch(got string) bool {
	return got == sumsOf(b.lastSet) || got == sumsOf(b.latest)
}

// sumsOf is the sha256 of SHA256SUMS as the publish stage writes it: "<sha256>  <name>\n"
// per artifact, sorted by name.
func sumsOf(set map[string]built) string {
	names := make([]string, 0, len(set))
	for n := range set {
		names = append(names, n)
	}
	sort.Strings(names)
	h := sha256.New()
	var line []byte
	for _, n := range names {
		line = append(append(append(append(line[:0], set[n].sha256...), "  "...), n...), '\n')
		h.Write(line)
	}
	return hex.EncodeToString(h.Sum(nil))
}
