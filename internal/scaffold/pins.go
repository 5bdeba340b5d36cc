package scaffold

// pin is a third-party action at a full commit SHA; the version is only the
// comment beside it, for the reader and for update tools.
type pin struct {
	SHA     string
	Version string
}

// pins are the actions the generated workflow uses, in one place so an update
// touches one line. Each SHA was checked against the action's release page.
var pins = map[string]pin{
	"actions/checkout":          {"11bd71901bbe5b1630ceea73d27597364c9af683", "v4.2.2"},
	"actions/upload-artifact":   {"6f51ac03b9356f520e9adb1b1b7802705f340c2b", "v4.5.0"},
	"actions/download-artifact": {"fa0a91b85d4f404e444e00e005971372dc801d16", "v4.1.8"},
	"actions/setup-python":      {"a26af69be951a213d495a4c3e4e4022e16d87065", "v5.6.0"},
	"actions/setup-node":        {"49933ea5288caeca8642d1e84afbd3f7d6820020", "v4.4.0"},
}
