package buildinfo

import (
	"strings"
	"testing"
)

// FuzzParseDependencies: no document makes the parser panic, every row it
// returns names one module, and a Why survives the escaping the generator
// writes it with.
func FuzzParseDependencies(f *testing.F) {
	f.Add([]byte("# Dependencies\n\n"+GeneratedMarker+"\n\n## a\n\n| Module | Version | Why |\n| --- | --- | --- |\n| `example.com/a` | v1.0.0 | reads \\| writes |\n"), "a | b")
	f.Add([]byte(GeneratedMarker+"\n| `x` | v1 => y v2 | `d` | shared |\n|"), "")
	f.Add([]byte("no marker | `x` |"), "`x` | \\|")
	f.Fuzz(func(t *testing.T, md []byte, why string) {
		doc, err := ParseDependencies(md)
		if err == nil {
			for _, r := range doc.Rows {
				if r.Path == "" || strings.ContainsAny(r.Path, "` ") {
					t.Fatalf("row path %q", r.Path)
				}
			}
		}
		why = strings.TrimSpace(strings.ReplaceAll(strings.ReplaceAll(why, "\n", " "), "\r", " "))
		if strings.HasSuffix(why, `\`) {
			return // a trailing backslash would escape the closing pipe; the generator never writes one
		}
		cells := tableCells("| `m` | v1 | " + escapeCell(why) + " |")
		if len(cells) != 3 || cells[2] != why {
			t.Fatalf("why %q came back as %q", why, cells)
		}
	})
}

// FuzzParseVersionM: the dependencies it reads write back into `go version
// -m` form and read the same again.
func FuzzParseVersionM(f *testing.F) {
	f.Add([]byte("bin: go1.26.8\n\tpath\tx\n\tmod\tx\t(devel)\t\n\tdep\ta.example/m\tv1.0.0\th1:x=\n\t=>\tb.example/m\tv1.0.1\th1:y=\n\tbuild\t-trimpath=true\n"))
	f.Add([]byte("\t=>\t../local\t\n"))
	f.Add([]byte("\tdep\t\t\n"))
	f.Fuzz(func(t *testing.T, out []byte) {
		mods, err := ParseVersionM(out)
		if err != nil {
			return
		}
		var b strings.Builder
		for _, m := range mods {
			if m.Path == "" || m.Version == "" {
				t.Fatalf("module %+v without path or version", m)
			}
			b.WriteString("\tdep\t" + m.Path + "\t" + m.Version + "\n")
			if m.Replace != nil {
				b.WriteString("\t=>\t" + m.Replace.Path + "\t" + m.Replace.Version + "\n")
			}
		}
		again, err := ParseVersionM([]byte(b.String()))
		if err != nil {
			t.Fatalf("re-reading %q: %v", b.String(), err)
		}
		if versionTexts(again) != versionTexts(mods) {
			t.Fatalf("round trip changed the modules:\n%s\n%s", versionTexts(mods), versionTexts(again))
		}
	})
}

// FuzzSnapshotTime: a time read from a pseudo-version is the one its
// timestamp spells.
func FuzzSnapshotTime(f *testing.F) {
	f.Add("v0.0.0-20261105234957-e22db6528018")
	f.Add("v1.2.3-pre.0.20240229000000-abcdefabcdef")
	f.Add("v1.2.3")
	f.Fuzz(func(t *testing.T, v string) {
		tm, err := SnapshotTime(v)
		if err != nil {
			return
		}
		if stamp := tm.Format("20060102150405"); !strings.Contains(v, stamp) {
			t.Fatalf("%q read as %v (%s)", v, tm, stamp)
		}
	})
}
