// Package ui is releaser's only way to talk to a person or to the GitHub
// Actions runner: human messages, stage headers, tables, progress, workflow
// commands, step outputs and the step summary.
//
// # Modes
//
// Detect picks one of four modes: ModeTTY (colours, a live progress bar),
// ModePlain (CI logs: plain lines, bounded progress lines), ModeGitHub
// (workflow commands: groups, annotations, masks) and ModeJSON (stdout is
// reserved for one JSON document; every human line goes to stderr).
//
// # Injection safety
//
// Release names, tag names, file names and build output are untrusted: a tag
// named "v1\n::add-mask::x" must not become a workflow command. The GitHub
// Actions runner reads a step's stdout and stderr line by line (a line ends
// at \n, \r or \r\n) and treats a line as a command when, after trimming
// leading whitespace, it starts with "::" (v2 syntax), or when it contains
// "##[" anywhere (v1 syntax). Every human line this package writes, in every
// mode (stderr in JSON mode and plain output reach the runner too), goes
// through the same pipeline:
//
//  1. secrets registered with Mask are replaced by "***";
//  2. line breaks (\r\n, \r, \n) are normalised to \n, so each line is seen;
//  3. other control characters (C0, DEL, C1) and bidi overrides are shown as
//     \xNN or \uNNNN so they cannot move the cursor, recolour or reorder text;
//  4. each line is neutralised by percent-encoding one character: a leading
//     "::" (after whitespace) becomes "%3A:" and every "##[" becomes "%23#[".
//     The text stays readable and the runner no longer sees a command.
//
// Commands the package means to issue (::group::, ::warning::, ::add-mask::,
// ...) are written as whole lines with their payloads escaped by EscapeData
// and EscapeProperty, the rules of actions/toolkit.
//
// Output of untrusted programs goes through UntrustedBlock. When the runner
// reads our output, the block is wrapped in "::stop-commands::<token>" and
// "::<token>::" with a fresh 128-bit random token, so nothing inside it is
// interpreted. If a command must be issued while a block is open (a Mask, a
// warning), the UI resumes, issues it and stops again with a new token, since
// the runner ignores (and prints verbatim) commands while stopped — an
// add-mask there would leak the very secret it names.
//
// RawStdout is for the final JSON document; in Actions it writes "##[" inside
// JSON strings as "##\u005b", the same JSON value.
package ui
