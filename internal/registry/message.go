package registry

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
)

// extractMessage finds the registry's words in an error body, leniently:
// every registry here answers JSON in its own shape, but a proxy in front
// of it may answer HTML or plain text. code is the machine code where the
// body has one (PyPI's errors[].code).
func extractMessage(contentType string, body []byte) (code, msg string) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return "", ""
	}
	var v any
	if json.Unmarshal(trimmed, &v) == nil {
		if code, msg, ok := fromJSON(v); ok {
			return code, msg
		}
	}
	if strings.Contains(strings.ToLower(contentType), "html") || trimmed[0] == '<' {
		return "", fromHTML(string(trimmed))
	}
	return "", string(trimmed)
}

// fromJSON understands the shapes in the reference: PyPI
// {"message","errors":[{"code","description"}]}, crates.io
// {"errors":[{"detail"}]}, npm {"message"}, RubyGems {"error"}.
func fromJSON(v any) (code, msg string, ok bool) {
	switch t := v.(type) {
	case string:
		return "", t, t != ""
	case map[string]any:
		if errs, isList := t["errors"].([]any); isList {
			var texts []string
			for _, item := range errs {
				c, m := errorItem(item)
				if code == "" {
					code = c
				}
				if m != "" {
					texts = append(texts, m)
				}
			}
			if len(texts) > 0 {
				return code, strings.Join(texts, "; "), true
			}
		}
		for _, key := range []string{"message", "error", "detail", "description", "reason"} {
			switch f := t[key].(type) {
			case string:
				if f != "" {
					return code, f, true
				}
			case map[string]any:
				if c, m := errorItem(f); m != "" {
					return firstNonEmpty(code, c), m, true
				}
			}
		}
		return code, "", code != ""
	}
	return "", "", false
}

// errorItem reads one entry of an "errors" list.
func errorItem(item any) (code, msg string) {
	switch t := item.(type) {
	case string:
		return "", t
	case map[string]any:
		code, _ = t["code"].(string)
		for _, key := range []string{"description", "detail", "message", "title"} {
			if s, ok := t[key].(string); ok && s != "" {
				return code, s
			}
		}
		return code, ""
	}
	return "", ""
}

var (
	htmlTitle    = regexp.MustCompile(`(?is)<title[^>]*>(.*?)</title>`)
	htmlDrop     = regexp.MustCompile(`(?is)<(script|style)[^>]*>.*?</(script|style)>`)
	htmlTag      = regexp.MustCompile(`(?s)<[^>]*>`)
	blankRuns    = regexp.MustCompile(`[ \t\r\n]+`)
	htmlEntities = strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">", "&quot;", `"`, "&#39;", "'", "&nbsp;", " ")
)

// fromHTML turns an error page (a gateway's 502, a CDN's block page) into
// one line: its title, else its text.
func fromHTML(page string) string {
	if m := htmlTitle.FindStringSubmatch(page); m != nil {
		if t := oneLine(m[1]); t != "" {
			return "non-JSON response: " + t
		}
	}
	text := htmlTag.ReplaceAllString(htmlDrop.ReplaceAllString(page, " "), " ")
	if t := oneLine(text); t != "" {
		return "non-JSON response: " + t
	}
	return "non-JSON response"
}

func oneLine(s string) string {
	return strings.TrimSpace(blankRuns.ReplaceAllString(htmlEntities.Replace(s), " "))
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
