package audit

import (
	"strconv"
	"strings"
)

// The fast decoders of the event data types (see jscan). Each reads the data as
// releaser writes it and reports false for anything else, leaving the decision to
// encoding/json; FuzzFastData holds each to encoding/json's result.

// fastDecoder is implemented by the pointer types of eventdata.go.
type fastDecoder interface {
	fast(s *jscan) bool
}

var runStartNames = []string{"dry_run", "stages", "tag", "commit"}

func (d *runStartData) fast(s *jscan) bool {
	return s.object(runStartNames, func(i int) bool {
		switch i {
		case 0:
			return s.boolInto(&d.DryRun)
		case 1:
			return s.strings(&d.Stages)
		case 2:
			return s.str(&d.Tag)
		default:
			return s.str(&d.Commit)
		}
	})
}

var runEndNames = []string{"exit_code", "error"}

func (d *runEndData) fast(s *jscan) bool {
	return s.object(runEndNames, func(i int) bool {
		if i == 0 {
			return s.intInto(&d.ExitCode)
		}
		return s.str(&d.Error)
	})
}

var stageEndNames = []string{"result", "error"}

func (d *stageEndData) fast(s *jscan) bool {
	return s.object(stageEndNames, func(i int) bool {
		if i == 0 {
			return s.str(&d.Result)
		}
		return s.str(&d.Error)
	})
}

var (
	artifactNames = []string{"name", "size", "digests"}
	digestNames   = []string{"sha256"}
)

func (d *artifactData) fast(s *jscan) bool {
	return s.object(artifactNames, func(i int) bool {
		switch i {
		case 0:
			return s.str(&d.Name)
		case 1:
			n, ok := s.int64()
			d.Size = n
			return ok
		default:
			return s.object(digestNames, func(int) bool { return s.str(&d.Digests.SHA256) })
		}
	})
}

var bundleNames = []string{"file", "sha256", "subjects", "local"}

func (d *bundleData) fast(s *jscan) bool {
	return s.object(bundleNames, func(i int) bool {
		switch i {
		case 0:
			return s.str(&d.File)
		case 1:
			return s.str(&d.SHA256)
		case 2:
			return s.strings(&d.Subjects)
		default:
			return s.boolInto(&d.Local)
		}
	})
}

var approvalNames = []string{"login", "id", "environments", "run_id", "run_attempt"}

func (d *approvalData) fast(s *jscan) bool {
	return s.object(approvalNames, func(i int) bool {
		switch i {
		case 0:
			return s.str(&d.Login)
		case 1:
			return s.flex(&d.ID)
		case 2:
			return s.strings(&d.Environments)
		case 3:
			return s.flex(&d.RunID)
		default:
			return s.flex(&d.RunAttempt)
		}
	})
}

var approvalResultNames = []string{"required", "counted", "approvers", "excluded", "approved", "run_id"}

func (d *approvalResultData) fast(s *jscan) bool {
	return s.object(approvalResultNames, func(i int) bool {
		switch i {
		case 0:
			return s.intInto(&d.Required)
		case 1:
			return s.intInto(&d.Counted)
		case 2:
			return s.strings(&d.Approvers)
		case 3:
			return s.strings(&d.Excluded)
		case 4:
			return s.boolInto(&d.Approved)
		default:
			return s.flex(&d.RunID)
		}
	})
}

var tokenMintedNames = []string{"registry", "package", "workflow_claim", "claims"}

func (d *tokenMintedData) fast(s *jscan) bool {
	return s.object(tokenMintedNames, func(i int) bool {
		switch i {
		case 0:
			return s.str(&d.Registry)
		case 1:
			return s.str(&d.Package)
		case 2:
			return s.str(&d.WorkflowClaim)
		default:
			return s.flexMap(&d.Claims)
		}
	})
}

var tokenRevokeNames = []string{"registry", "package", "revoked", "error"}

func (d *tokenRevokeData) fast(s *jscan) bool {
	return s.object(tokenRevokeNames, func(i int) bool {
		switch i {
		case 0:
			return s.str(&d.Registry)
		case 1:
			return s.str(&d.Package)
		case 2:
			return s.boolInto(&d.Revoked)
		default:
			return s.str(&d.Error)
		}
	})
}

var uploadNames = []string{"registry", "package", "artifact", "sha256", "outcome"}

func (d *uploadData) fast(s *jscan) bool {
	return s.object(uploadNames, func(i int) bool {
		switch i {
		case 0:
			return s.str(&d.Registry)
		case 1:
			return s.str(&d.Package)
		case 2:
			return s.str(&d.Artifact)
		case 3:
			return s.str(&d.SHA256)
		default:
			return s.str(&d.Outcome)
		}
	})
}

var assetNames = []string{"release", "asset", "sha256", "outcome"}

func (d *assetData) fast(s *jscan) bool {
	return s.object(assetNames, func(i int) bool {
		switch i {
		case 0:
			return s.str(&d.Release)
		case 1:
			return s.str(&d.Asset)
		case 2:
			return s.str(&d.SHA256)
		default:
			return s.str(&d.Outcome)
		}
	})
}

var releaseFinalNames = []string{"tag", "url", "immutable", "draft", "assets", "problems"}

func (d *releaseFinalData) fast(s *jscan) bool {
	return s.object(releaseFinalNames, func(i int) bool {
		switch i {
		case 0:
			return s.str(&d.Tag)
		case 1:
			return s.str(&d.URL)
		case 2:
			return s.boolInto(&d.Immutable)
		case 3:
			return s.boolInto(&d.Draft)
		case 4:
			return s.strMap(&d.Assets)
		default:
			return s.strings(&d.Problems)
		}
	})
}

var transparencyNames = []string{"transparency"}

func (d *transparencyData) fast(s *jscan) bool {
	return s.object(transparencyNames, func(int) bool { return s.str(&d.Transparency) })
}

func (s *jscan) boolInto(dst *bool) bool {
	v, ok := s.bool()
	*dst = v
	return ok
}

func (s *jscan) intInto(dst *int) bool {
	n, ok := s.int64()
	*dst = int(n)
	return ok && int64(int(n)) == n
}

// flex reads a flexString: a plain string, or a number kept as its text when it
// parses as a float (flexString.UnmarshalJSON's rule).
func (s *jscan) flex(dst *flexString) bool {
	if s.i < len(s.b) && s.b[s.i] == '"' {
		v, ok := s.plainString()
		*dst = flexString(v)
		return ok
	}
	start := s.i
	if !s.number() {
		return false
	}
	text := s.text(s.b[start:s.i])
	// Without an exponent, a number this short is a finite float whatever its digits.
	if len(text) > 15 || strings.ContainsAny(text, "eE") {
		if _, err := strconv.ParseFloat(text, 64); err != nil {
			return false
		}
	}
	*dst = flexString(text)
	return true
}

// flexMap reads an object of flexStrings; keys are taken as they are (map keys are
// not case-folded), a repeated key keeps its last value, as encoding/json does.
func (s *jscan) flexMap(dst *map[string]flexString) bool {
	m := make(map[string]flexString, 24) // the claims of an OIDC token: about 17
	ok := s.mapOf(func(k []byte) bool {
		var v flexString
		if !s.flex(&v) {
			return false
		}
		m[s.text(k)] = v
		return true
	}, func(k []byte) { m[s.text(k)] = "" })
	*dst = m
	return ok
}

func (s *jscan) strMap(dst *map[string]string) bool {
	m := map[string]string{}
	ok := s.mapOf(func(k []byte) bool {
		v, ok := s.plainString()
		m[s.text(k)] = s.text(v)
		return ok
	}, func(k []byte) { m[s.text(k)] = "" })
	*dst = m
	return ok
}

// mapOf reads an object of any keys; a null value is the zero value, as encoding/json
// stores it.
func (s *jscan) mapOf(value func(k []byte) bool, zero func(k []byte)) bool {
	if !s.lit('{') {
		return false
	}
	if s.lit('}') {
		return true
	}
	for {
		k, ok := s.plainString()
		if !ok || !s.lit(':') {
			return false
		}
		if s.word("null") {
			zero(k)
		} else if !value(k) {
			return false
		}
		if s.lit('}') {
			return true
		}
		if !s.lit(',') {
			return false
		}
	}
}
