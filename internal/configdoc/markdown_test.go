package configdoc

import "testing"

func TestMarkdown(t *testing.T) {
	tests := []struct{ name, doc, want string }{
		{"paragraph lines are joined", "Where the commands\nwrite artifacts.", "Where the commands write artifacts."},
		{"paragraphs are kept", "One.\n\nTwo.", "One.\n\nTwo."},
		{"quoted values are code", `"single" or "per-artifact".`, "`\"single\"` or `\"per-artifact\"`."},
		{"key names and globs are code, punctuation outside", "relative to output_dir, e.g. *.whl.", "relative to `output_dir`, e.g. `*.whl`."},
		{"brackets around words stay outside", "Keep it out of git (.gitignore).", "Keep it out of git (`.gitignore`)."},
		{"angle brackets never reach Markdown", "<artifact>.sigstore.json each", "`<artifact>.sigstore.json` each"},
		{"dotted paths and hosts are code", "not identity.workflow at crates.io", "not `identity.workflow` at `crates.io`"},
		{"plain words stay", "Mark the release as a pre-release.", "Mark the release as a pre-release."},
		{"an unclosed quote stays as it is", `a " b_c`, "a \" `b_c`"},
		{"indented block is code", "For example:\n\n\tenv = { A = \"1\" }\n\tx = 2", "For example:\n\n```\nenv = { A = \"1\" }\nx = 2\n```"},
		{"indented dashes are a list", "Kinds:\n\n  - pypi_x\n  - npm", "Kinds:\n\n- `pypi_x`\n- npm"},
		{"indented block right after text", "Run:\n\tgh api x", "Run:\n\n```\ngh api x\n```"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := markdown(tt.doc); got != tt.want {
				t.Errorf("markdown(%q)\n got %q\nwant %q", tt.doc, got, tt.want)
			}
		})
	}
}
