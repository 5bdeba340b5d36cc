package artifact

import "testing"

func TestDetectKind(t *testing.T) {
	tests := []struct {
		name string
		want Kind
	}{
		{"demo-1.0-py3-none-any.whl", KindWheel},
		{"dist/demo-1.0-py3-none-any.whl", KindWheel},
		{".whl", KindGeneric},
		{"demo-1.0.whl.sig", KindGeneric},
		{"demo-1.0.WHL", KindGeneric},
		{"demo-1.0.tar.gz", KindSdist},
		{"my_pkg.ns-2.0rc1.tar.gz", KindSdist},
		{"demo-1!2.0.post1+local.7.tar.gz", KindSdist},
		{"demo-cli-1.0.tar.gz", KindGeneric},     // '-' in the name: not normalized
		{"demo-linux-amd64.tar.gz", KindGeneric}, // version must start with a digit
		{"demo-linux.tar.gz", KindGeneric},       // version must start with a digit
		{"demo-src.tar.gz", KindGeneric},
		{"demo-1.0-linux.tar.gz", KindGeneric}, // too many parts
		{"demo.tar.gz", KindGeneric},           // no version
		{"-1.0.tar.gz", KindGeneric},           // no name
		{"demo-.tar.gz", KindGeneric},          // empty version
		{"demo-1.0.zip", KindGeneric},          // legacy zip sdists are not supported
		{"pkg/sub/demo-1.0.tar.gz", KindSdist}, // base name only
		{"demo-1.0.0.tgz", KindNpm},
		{"demo-1.0.0.crate", KindCrate},
		{"demo-1.0.0.gem", KindGem},
		{"demo_1.0.0_checksums.txt", KindGeneric},
		{"demo.exe", KindGeneric},
		{"", KindGeneric},
	}
	for _, tt := range tests {
		if got := DetectKind(tt.name); got != tt.want {
			t.Errorf("DetectKind(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestKindKnown(t *testing.T) {
	for _, k := range []Kind{KindWheel, KindSdist, KindNpm, KindCrate, KindGem, KindGeneric} {
		if !k.Known() {
			t.Errorf("%q.Known() = false", k)
		}
	}
	for _, k := range []Kind{"", "Wheel", "deb"} {
		if k.Known() {
			t.Errorf("%q.Known() = true", k)
		}
	}
}
