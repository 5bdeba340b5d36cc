package ui

import (
	"strings"
	"unicode"
)

// This file mimics how the GitHub Actions runner reads a step's output
// (actions/runner: ActionCommand.TryParseV2 and TryParse, and the
// stop-commands handling of ActionCommandManager), so tests can ask which
// workflow commands a byte stream would really trigger.

type runnerCommand struct {
	Name  string
	Props map[string]string
	Data  string
}

var runnerRegistered = []string{
	"add-mask", "add-matcher", "add-path", "debug", "echo", "endgroup", "error", "group",
	"notice", "remove-matcher", "save-state", "set-env", "set-output", "warning", "stop-commands",
}

// runnerLines splits like .NET's StreamReader.ReadLine: \r\n, \r or \n.
func runnerLines(out string) []string {
	lines := splitLines(out)
	if len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// runnerParse returns the commands the runner would process, including
// stop-commands and the resume token itself.
func runnerParse(out string) []runnerCommand {
	registered := map[string]bool{}
	for _, c := range runnerRegistered {
		registered[c] = true
	}
	var cmds []runnerCommand
	stopToken := ""
	for _, line := range runnerLines(out) {
		cmd, ok := parseV2(line, registered)
		if !ok {
			cmd, ok = parseV1(line, registered)
		}
		if !ok {
			continue
		}
		if stopToken != "" {
			if strings.EqualFold(cmd.Name, stopToken) {
				delete(registered, strings.ToLower(stopToken))
				stopToken = ""
				cmds = append(cmds, cmd)
			}
			continue
		}
		if cmd.Name == "stop-commands" {
			stopToken = cmd.Data
			registered[strings.ToLower(stopToken)] = true
		}
		cmds = append(cmds, cmd)
	}
	return cmds
}

func parseV2(line string, registered map[string]bool) (runnerCommand, bool) {
	msg := strings.TrimLeftFunc(line, unicode.IsSpace)
	if !strings.HasPrefix(msg, "::") {
		return runnerCommand{}, false
	}
	end := strings.Index(msg[2:], "::")
	if end < 0 {
		return runnerCommand{}, false
	}
	end += 2
	info := msg[2:end]
	name, props, hasProps := strings.Cut(info, " ")
	if !registered[strings.ToLower(name)] {
		return runnerCommand{}, false
	}
	cmd := runnerCommand{Name: strings.ToLower(name), Props: map[string]string{}}
	if hasProps {
		for p := range strings.SplitSeq(strings.TrimSpace(props), ",") {
			if k, v, ok := strings.Cut(p, "="); ok && k != "" && v != "" {
				cmd.Props[k] = unescapeWith(v, runnerPropertyUnescapes)
			}
		}
	}
	cmd.Data = unescapeWith(msg[end+2:], runnerDataUnescapes)
	return cmd, true
}

func parseV1(line string, registered map[string]bool) (runnerCommand, bool) {
	i := strings.Index(line, "##[")
	if i < 0 {
		return runnerCommand{}, false
	}
	rb := strings.Index(line[i:], "]")
	if rb < 0 {
		return runnerCommand{}, false
	}
	rb += i
	info := line[i+3 : rb]
	name, props, hasProps := strings.Cut(info, " ")
	if !registered[strings.ToLower(name)] {
		return runnerCommand{}, false
	}
	cmd := runnerCommand{Name: strings.ToLower(name), Props: map[string]string{}}
	if hasProps {
		for p := range strings.SplitSeq(props, ";") {
			if k, v, ok := strings.Cut(p, "="); ok && k != "" && v != "" {
				cmd.Props[k] = unescapeWith(v, runnerV1Unescapes)
			}
		}
	}
	cmd.Data = unescapeWith(line[rb+1:], runnerV1Unescapes)
	return cmd, true
}

// The runner's unescape tables, applied in order with String.Replace.
var (
	runnerDataUnescapes     = [][2]string{{"%0D", "\r"}, {"%0A", "\n"}, {"%25", "%"}}
	runnerPropertyUnescapes = [][2]string{{"%0D", "\r"}, {"%0A", "\n"}, {"%3A", ":"}, {"%2C", ","}, {"%25", "%"}}
	runnerV1Unescapes       = [][2]string{{"%3B", ";"}, {"%0D", "\r"}, {"%0A", "\n"}, {"%5D", "]"}, {"%25", "%"}}
)

func unescapeWith(s string, table [][2]string) string {
	for _, m := range table {
		s = strings.ReplaceAll(s, m[0], m[1])
	}
	return s
}

func commandNames(cmds []runnerCommand) []string {
	var names []string
	for _, c := range cmds {
		names = append(names, c.Name)
	}
	return names
}
