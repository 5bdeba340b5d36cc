package testenv

import (
	"os"
	"testing"
)

// missingTool skips a test that needs an external tool which is not installed, with a
// message nobody can miss; with RELEASER_REQUIRE_TOOLS=1 (as CI sets it) it fails the
// test instead, so a missing install step cannot pass as green.
func missingTool(t testing.TB, what, hint string) {
	t.Helper()
	msg := "SKIPPING: " + what + "; " + hint
	if os.Getenv("RELEASER_REQUIRE_TOOLS") == "1" {
		t.Fatal(msg + " (RELEASER_REQUIRE_TOOLS=1)")
	}
	t.Skip(msg)
}
