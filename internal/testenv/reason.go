package testenv

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// writeReason answers status with message as the HTTP reason phrase, the way warehouse's
// legacy upload API reports errors ("HTTP/1.1 400 File already exists (…)"); twine and
// other clients show the reason phrase, not the body.
//
// net/http always writes the standard reason phrase (http.StatusText), so the only way
// to send another one is to take the connection over: the request body is drained first
// (the client is still sending it, and closing on unread bytes would reset the
// connection before the answer is read), then the whole response is written by hand
// and the connection closed. Where the writer cannot be hijacked (the LostResponse
// fault's recorder, HTTP/2) the standard phrase is sent with the same body.
//
// Like warehouse, characters outside ISO-8859-1 and control characters are replaced
// with '?', since a reason phrase cannot carry them.
func writeReason(w http.ResponseWriter, r *http.Request, status int, message string, extra http.Header) {
	phrase := reasonPhrase(message)
	body := pyramidErrorPage(status, message)
	_, _ = io.Copy(io.Discard, r.Body)
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		for k, vs := range extra {
			w.Header()[k] = vs
		}
		w.Header().Set("Content-Type", "text/html; charset=UTF-8")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
		return
	}
	defer conn.Close()
	var b strings.Builder
	fmt.Fprintf(&b, "HTTP/1.1 %d %s\r\n", status, phrase)
	for k, vs := range extra {
		for _, v := range vs {
			fmt.Fprintf(&b, "%s: %s\r\n", k, v)
		}
	}
	b.WriteString("Content-Type: text/html; charset=UTF-8\r\n")
	b.WriteString("Content-Length: " + strconv.Itoa(len(body)) + "\r\n")
	b.WriteString("Connection: close\r\n\r\n")
	b.WriteString(body)
	_, _ = buf.WriteString(b.String())
	_ = buf.Flush()
}

// reasonPhrase encodes message for a status line as warehouse does: ISO-8859-1 bytes,
// anything else replaced by '?' (Python's errors="replace"); control characters, which
// would break the status line, become '?' too.
func reasonPhrase(message string) string {
	var b strings.Builder
	for _, c := range message {
		switch {
		case c == '\t' || (c >= 0x20 && c < 0x7f) || (c >= 0xa0 && c <= 0xff):
			b.WriteByte(byte(c))
		default:
			b.WriteByte('?')
		}
	}
	return b.String()
}

// pyramidErrorPage is the HTML body Pyramid renders for an HTTP exception whose status
// was replaced by warehouse's _exc_with_message.
func pyramidErrorPage(status int, detail string) string {
	explanation := map[int]string{
		http.StatusBadRequest:        "The server could not comply with the request since it is either malformed or otherwise incorrect.",
		http.StatusForbidden:         "Access was denied to this resource.",
		http.StatusGone:              "This resource is no longer available.  No forwarding address is given.",
		http.StatusPermanentRedirect: "The resource has been moved to ; you should be redirected automatically.",
		http.StatusTooManyRequests:   "Too many requests.",
	}[status]
	title := strconv.Itoa(status) + " " + htmlEscape(detail)
	return "<html>\n <head>\n  <title>" + title + "</title>\n </head>\n <body>\n  <h1>" + title + "</h1>\n  " +
		explanation + "<br/><br/>\n" + htmlEscape(detail) + "\n\n\n </body>\n</html>"
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&#x27;").Replace(s)
}
