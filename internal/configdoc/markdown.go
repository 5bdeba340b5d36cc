package configdoc

import (
	"strings"
	"unicode"
)

// markdown turns a doc comment (markers already stripped) into Markdown:
// paragraphs are kept and joined into single lines, indented blocks become
// code blocks (or lists, when every line is "- item"), and the TOML-ish
// tokens in prose — quoted values, key names, globs, file names, URLs —
// become code spans, so that *, _, < and [ in them are never read as
// Markdown and the raw file stays readable without backslashes.
func markdown(doc string) string {
	var out []string
	var run []string
	indented := false
	flush := func() {
		if len(run) == 0 {
			return
		}
		if indented {
			out = append(out, preformatted(run))
		} else {
			out = append(out, prose(strings.Join(run, " ")))
		}
		run = nil
	}
	for _, line := range strings.Split(doc, "\n") {
		if strings.TrimSpace(line) == "" {
			flush()
			continue
		}
		ind := line[0] == ' ' || line[0] == '\t'
		if ind != indented {
			flush()
			indented = ind
		}
		run = append(run, line)
	}
	flush()
	return strings.Join(out, "\n\n")
}

func preformatted(lines []string) string {
	list := true
	for _, l := range lines {
		list = list && strings.HasPrefix(strings.TrimSpace(l), "- ")
	}
	if list {
		items := make([]string, len(lines))
		for i, l := range lines {
			items[i] = "- " + prose(strings.TrimPrefix(strings.TrimSpace(l), "- "))
		}
		return strings.Join(items, "\n")
	}
	prefix := commonIndent(lines)
	body := make([]string, len(lines))
	for i, l := range lines {
		body[i] = strings.TrimPrefix(l, prefix)
	}
	return "```\n" + strings.Join(body, "\n") + "\n```"
}

func commonIndent(lines []string) string {
	prefix := lines[0][:len(lines[0])-len(strings.TrimLeft(lines[0], " \t"))]
	for _, l := range lines[1:] {
		for !strings.HasPrefix(l, prefix) {
			prefix = prefix[:len(prefix)-1]
		}
	}
	return prefix
}

// prose writes one paragraph: double-quoted strings and technical words in
// code spans, the rest as it is.
func prose(text string) string {
	var b strings.Builder
	for text != "" {
		i := strings.IndexByte(text, '"')
		j := -1
		if i >= 0 {
			j = strings.IndexByte(text[i+1:], '"')
		}
		if i < 0 || j < 0 {
			b.WriteString(words(text))
			break
		}
		end := i + 1 + j + 1
		b.WriteString(words(text[:i]))
		b.WriteString(codeSpan(text[i:end]))
		text = text[end:]
	}
	return b.String()
}

func words(s string) string {
	ws := strings.Split(s, " ")
	for i, w := range ws {
		ws[i] = word(w)
	}
	return strings.Join(ws, " ")
}

// word puts a technical word in a code span, leaving the punctuation around
// it outside: "(.gitignore)." → "(`.gitignore`).".
func word(w string) string {
	lead := w[:len(w)-len(strings.TrimLeft(w, "("))]
	rest := w[len(lead):]
	core := strings.TrimRight(rest, ".,;:)")
	trail := rest[len(core):]
	if !technical(core) {
		return w
	}
	return lead + codeSpan(core) + trail
}

// technical says a word is code rather than English: it has a character
// Markdown would act on or that prose never uses, or a dot inside it (a key
// path, a file name, a host).
func technical(w string) bool {
	if w == "" || w == "e.g" || w == "i.e" || strings.Contains(w, "`") {
		return false
	}
	if strings.ContainsAny(w, "_*<>{}[]/=@$|\\") {
		return true
	}
	for i := 0; i+1 < len(w); i++ {
		if w[i] == '.' && unicode.IsLetter(rune(w[i+1])) {
			return true
		}
	}
	return false
}

func codeSpan(s string) string {
	if strings.Contains(s, "`") {
		return s
	}
	return "`" + s + "`"
}
