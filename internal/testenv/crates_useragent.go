package testenv

import (
	"io"
	"net/http"
	"strings"
)

// requireUserAgent answers 403 to requests without a User-Agent, as crates.io does for
// every API call (reference §5.1). The body is crates.io's plain-text explanation.
//
// Go's client sends "Go-http-client/1.1" when the caller set no User-Agent, so that
// value counts as missing here: it is how a Go client that forgot the header looks, and
// crates.io's data-access policy refuses agents that only name the HTTP library.
func requireUserAgent(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ua := r.Header.Get("User-Agent")
		missing := ua == "" || ua == "Amazon CloudFront" || strings.HasPrefix(ua, "Go-http-client/")
		if missing && !strings.HasSuffix(r.URL.Path, "download") {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.WriteHeader(http.StatusForbidden)
			_, _ = io.WriteString(w, noUserAgentMessage(randomUUID()))
			return
		}
		next.ServeHTTP(w, r)
	})
}

func noUserAgentMessage(requestID string) string {
	return "We require that all requests include a `User-Agent` header.  To allow us to determine " +
		"the impact your bot has on our service, we ask that your user agent actually identify your bot, " +
		"and not just report the HTTP client library you're using.  Including contact information will " +
		"also reduce the chance that we will need to take action against your bot.\n\n" +
		"Bad:\n  User-Agent: reqwest/0.9.1\n\n" +
		"Better:\n  User-Agent: my_crawler\n\n" +
		"Best:\n  User-Agent: my_crawler (my_crawler.com/info)\n  User-Agent: my_crawler (help@my_crawler.com)\n\n" +
		"If you believe you've received this message in error, please email help@crates.io and include the request id " +
		requestID + ".\n"
}
