// Package loopback answers one question every client of a remote service
// asks before it sends a credential over plain http: is this host the local
// machine? Only then (test emulators) is http allowed; everywhere else it
// must be https.
package loopback

import (
	"net"
	"strings"
)

// Host reports whether host (a URL's Hostname(), without a port) is
// "localhost" or a loopback IP address (127.0.0.0/8, ::1). A name that merely
// starts with "127." is not.
func Host(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
