package audit

import (
	"slices"
)

// ruleCratesRevoked pairs every crates.io token minted in a real run with a later
// token.revoke for the same package in the same run, which must say revoked.
func ruleCratesRevoked(v *view, _ Policy, j *judge) {
	if v.onlyDryRuns() {
		v.dryRunReason(j)
		return
	}
	type key struct {
		run *RunRecord
		pkg string
	}
	pending := map[key][]located{}
	var order []key
	for _, l := range v.real {
		switch l.e.Type {
		case "token.minted":
			d, err := data[tokenMintedData](v, l)
			if err != nil {
				j.bad(l, "%v", err)
				continue
			}
			if d.Registry != "crates" {
				continue
			}
			k := key{l.run, d.Package}
			if !slices.Contains(order, k) {
				order = append(order, k)
			}
			pending[k] = append(pending[k], l)
		case "token.revoke":
			d, err := data[tokenRevokeData](v, l)
			if err != nil {
				j.bad(l, "%v", err)
				continue
			}
			if d.Registry != "crates" {
				continue
			}
			k := key{l.run, d.Package}
			if len(pending[k]) == 0 {
				j.bad(l, "token.revoke for crates %s without a token minted before it in this run", orNone(d.Package))
				continue
			}
			mint := pending[k][0]
			pending[k] = pending[k][1:]
			if d.Revoked {
				j.ok(l, "crates.io token for %s (minted at %s) revoked", orNone(d.Package), mint.at())
			} else {
				j.bad(l, "crates.io token for %s (minted at %s) was not revoked: %s", orNone(d.Package), mint.at(), orNone(d.Error))
			}
		}
	}
	for _, k := range order {
		for _, mint := range pending[k] {
			j.bad(mint, "crates.io token for %s never revoked: no token.revoke follows in this run (killed, or the log is cut short)", orNone(k.pkg))
		}
	}
	if len(j.pass) == 0 && len(j.fail) == 0 {
		j.na(v.first(), "no crates.io token was minted")
	}
}
