package audit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
)

// The data of the events the rules read. Decoding is lenient about fields it does not
// know (the stages may record more over time) and strict about the types of the fields
// it uses: a verdict must not rest on a value that was silently read as zero.

type runStartData struct {
	DryRun bool     `json:"dry_run"`
	Stages []string `json:"stages"`
	Tag    string   `json:"tag"`
	Commit string   `json:"commit"`
}

type runEndData struct {
	ExitCode int    `json:"exit_code"`
	Error    string `json:"error"`
}

type stageEndData struct {
	Result string `json:"result"`
	Error  string `json:"error"`
}

type artifactData struct {
	Name    string `json:"name"`
	Size    int64  `json:"size"`
	Digests struct {
		SHA256 string `json:"sha256"`
	} `json:"digests"`
}

type bundleData struct {
	File     string   `json:"file"`
	SHA256   string   `json:"sha256"`
	Subjects []string `json:"subjects"`
	Local    bool     `json:"local"`
}

type approvalData struct {
	Login        string     `json:"login"`
	ID           flexString `json:"id"`
	Environments []string   `json:"environments"`
	RunID        flexString `json:"run_id"`
	RunAttempt   flexString `json:"run_attempt"`
}

type approvalResultData struct {
	Required  int        `json:"required"`
	Counted   int        `json:"counted"`
	Approvers []string   `json:"approvers"`
	Excluded  []string   `json:"excluded"`
	Approved  bool       `json:"approved"`
	RunID     flexString `json:"run_id"`
}

type tokenMintedData struct {
	Registry      string                `json:"registry"`
	Package       string                `json:"package"`
	WorkflowClaim string                `json:"workflow_claim"`
	Claims        map[string]flexString `json:"claims"`
}

func (t tokenMintedData) claim(name string) string { return string(t.Claims[name]) }

type tokenRevokeData struct {
	Registry string `json:"registry"`
	Package  string `json:"package"`
	Revoked  bool   `json:"revoked"`
	Error    string `json:"error"`
}

type uploadData struct {
	Registry string `json:"registry"`
	Package  string `json:"package"`
	Artifact string `json:"artifact"`
	SHA256   string `json:"sha256"`
	Outcome  string `json:"outcome"`
}

type assetData struct {
	Release string `json:"release"`
	Asset   string `json:"asset"`
	SHA256  string `json:"sha256"`
	Outcome string `json:"outcome"`
}

type releaseFinalData struct {
	Tag       string            `json:"tag"`
	URL       string            `json:"url"`
	Immutable bool              `json:"immutable"`
	Draft     bool              `json:"draft"`
	Assets    map[string]string `json:"assets"`
	Problems  []string          `json:"problems"`
}

// flexString reads a JSON string or number as text: the stages record run ids and user
// ids as numbers in some events and as strings in others (claims are strings).
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case string(b) == "null":
		*f = ""
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexString(s)
	default:
		var n json.Number
		if err := json.Unmarshal(b, &n); err != nil {
			return errors.New("must be a string or a number")
		}
		if _, err := strconv.ParseFloat(string(n), 64); err != nil {
			return errors.New("must be a string or a number")
		}
		*f = flexString(n)
	}
	return nil
}

// transparencyData is what attested's evidence quotes from an attest.bundle.
type transparencyData struct {
	Transparency string `json:"transparency"`
}

// decodeData decodes e's data into a T. An event without data decodes to the zero T.
// Data as releaser writes it takes the fast path; anything else, and every error, is
// encoding/json's. The fast path's strings share e.Data's memory: e.Data must not
// change while the result is in use (a Collector's data never changes).
func decodeData[T any](e Event) (T, error) {
	var v T
	if len(e.Data) == 0 {
		return v, nil
	}
	if fd, ok := any(&v).(fastDecoder); ok {
		s := jscan{b: e.Data}
		if fd.fast(&s) && s.done() {
			return v, nil
		}
		var zero T
		v = zero // the fast path may have set some fields before it gave up
	}
	if err := json.Unmarshal(e.Data, &v); err != nil {
		return v, fmt.Errorf("%s data cannot be read: %v", e.Type, err)
	}
	return v, nil
}
