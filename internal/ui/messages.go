package ui

import (
	"fmt"
	"strconv"
	"strings"
)

// Infof prints a message for people.
func (u *UI) Infof(format string, args ...any) {
	u.say("", "", fmt.Sprintf(format, args...))
}

// Warnf prints a warning. In GitHub mode it is a "::warning::" command,
// which the runner shows in the log and as an annotation (one copy, not a
// plain line and a command both). Elsewhere it is "warning: msg".
func (u *UI) Warnf(format string, args ...any) {
	u.level("warning", ansiYellow, fmt.Sprintf(format, args...))
}

// Errorf prints an error: "::error::" in GitHub mode, "error: msg" elsewhere.
func (u *UI) Errorf(format string, args ...any) {
	u.level("error", ansiRed, fmt.Sprintf(format, args...))
}

func (u *UI) level(name, color, msg string) {
	if u.mode != ModeGitHub {
		u.say(name+":", u.paint(color, name+":"), msg)
		return
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	u.commandLocked("::" + name + "::" + u.commandData(trimOneNewline(msg)))
}

// Annotate attaches a message to a file and line. level is "error",
// "warning" or "notice"; anything else is reported as a warning so it is
// neither lost nor allowed to name some other command. An empty title or
// file, or line <= 0, is left out. Outside GitHub mode it prints
// "file:line: level: title: msg".
func (u *UI) Annotate(level, title, file string, line int, msg string) {
	level = strings.ToLower(level)
	switch level {
	case "error", "warning", "notice":
	default:
		level = "warning"
	}
	msg = trimOneNewline(msg)
	if u.mode != ModeGitHub {
		where := file
		if file != "" && line > 0 {
			where += ":" + strconv.Itoa(line)
		}
		text := msg
		if title != "" {
			text = title + ": " + msg
		}
		label := level + ":"
		if where != "" {
			label = where + ": " + label
		}
		u.say(label, u.paint(levelColor(level), label), text)
		return
	}

	u.mu.Lock()
	defer u.mu.Unlock()
	var props []string
	if file != "" {
		props = append(props, "file="+u.commandProperty(file))
	}
	if line > 0 {
		props = append(props, "line="+strconv.Itoa(line))
	}
	if title != "" {
		props = append(props, "title="+u.commandProperty(title))
	}
	cmd := "::" + level
	if len(props) > 0 {
		cmd += " " + strings.Join(props, ",")
	}
	u.commandLocked(cmd + "::" + u.commandData(msg))
}

func levelColor(level string) string {
	switch level {
	case "error":
		return ansiRed
	case "warning":
		return ansiYellow
	}
	return ""
}

// say prints label and msg through the neutralising pipeline as one write.
// painted is label with colours; it replaces label only if label came
// through the pipeline unchanged (an Annotate label holds a file name,
// which may be untrusted, and colour codes must never wrap altered text).
func (u *UI) say(label, painted, msg string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	text := trimOneNewline(msg)
	switch {
	case label == "":
	case text == "":
		text = label
	default:
		text = label + " " + text
	}
	lines := safeLines(u.redactLocked(text))
	if rest, ok := strings.CutPrefix(lines[0], label); ok && label != "" && u.color {
		lines[0] = painted + rest
	}
	u.writeHumanLocked(strings.Join(lines, "\n") + "\n")
}
