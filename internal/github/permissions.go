package github

import "strings"

// acceptedPermissions renders GitHub's X-Accepted-GitHub-Permissions header for people:
// "actions=read" becomes "actions: read". The header lists alternative sets separated
// by ";", each a ","-separated list of permissions that are needed together, so
// "contents=read,metadata=read; actions=write" becomes
// "contents: read and metadata: read, or actions: write". "" when there is none.
func acceptedPermissions(h string) string {
	var sets []string
	for set := range strings.SplitSeq(h, ";") {
		var perms []string
		for p := range strings.SplitSeq(set, ",") {
			name, level, ok := strings.Cut(strings.TrimSpace(p), "=")
			name, level = strings.TrimSpace(name), strings.TrimSpace(level)
			switch {
			case name == "":
			case ok && level != "":
				perms = append(perms, name+": "+level)
			default:
				perms = append(perms, name)
			}
		}
		if len(perms) > 0 {
			sets = append(sets, strings.Join(perms, " and "))
		}
	}
	return strings.Join(sets, ", or ")
}
