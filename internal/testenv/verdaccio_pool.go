package testenv

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// VerdaccioPool lends running verdaccios to tests one at a time. Starting one costs most
// of a second of CPU, so a test whose many subtests each publish the same package shares
// a few instead of starting one per subtest. A verdaccio goes back to the pool at the
// borrower's cleanup with the packages it was lent for unpublished, so the next borrower
// finds it as empty as a fresh one (apart from the users earlier exchanges created,
// which nothing reads).
type VerdaccioPool struct {
	owner testing.TB
	slots chan struct{} // one per verdaccio the pool may run

	mu      sync.Mutex
	idle    []*Verdaccio
	janitor map[*Verdaccio]string // the token of the user that unpublishes
}

// NewVerdaccioPool returns a pool of at most n verdaccios, started as borrowers need
// them and stopped when owner ends.
func NewVerdaccioPool(owner testing.TB, n int) *VerdaccioPool {
	p := &VerdaccioPool{owner: owner, slots: make(chan struct{}, n), janitor: map[*Verdaccio]string{}}
	for range n {
		p.slots <- struct{}{}
	}
	return p
}

// Get lends a verdaccio to t, starting one if none is idle and the pool is not full, and
// waiting for one otherwise. A verdaccio that cannot be started fails (or, when it is not
// installed, skips) t. At t's cleanup every package in packages is unpublished and the
// verdaccio goes back to the pool; one that cannot be emptied fails t and is stopped.
func (p *VerdaccioPool) Get(t testing.TB, packages ...string) *Verdaccio {
	t.Helper()
	<-p.slots
	p.mu.Lock()
	var v *Verdaccio
	if n := len(p.idle); n > 0 {
		v, p.idle = p.idle[n-1], p.idle[:n-1]
	}
	p.mu.Unlock()
	if v == nil {
		started := false
		defer func() {
			if !started { // t was failed or skipped: the slot is free again
				p.slots <- struct{}{}
			}
		}()
		// It lives as long as the owner; what goes wrong starting it is t's failure.
		v = StartVerdaccio(lender{TB: p.owner, borrower: t})
		started = true
	}
	t.Cleanup(func() { p.giveBack(t, v, packages) })
	return v
}

func (p *VerdaccioPool) giveBack(t testing.TB, v *Verdaccio, packages []string) {
	defer func() { p.slots <- struct{}{} }()
	for _, name := range packages {
		if err := p.unpublish(v, name); err != nil {
			t.Errorf("testenv: return verdaccio %s to the pool: %v", v.URL(), err)
			v.stop()
			return
		}
	}
	p.mu.Lock()
	p.idle = append(p.idle, v)
	p.mu.Unlock()
}

// lender is the pool owner's TB (temporary directories and cleanups live as long as
// the pool) that reports failures and skips to the borrower, whose goroutine it runs on.
type lender struct {
	testing.TB
	borrower testing.TB
}

func (l lender) Helper()                           { l.borrower.Helper() }
func (l lender) Error(args ...any)                 { l.borrower.Error(args...) }
func (l lender) Errorf(format string, args ...any) { l.borrower.Errorf(format, args...) }
func (l lender) Fatal(args ...any)                 { l.borrower.Fatal(args...) }
func (l lender) Fatalf(format string, args ...any) { l.borrower.Fatalf(format, args...) }
func (l lender) FailNow()                          { l.borrower.FailNow() }
func (l lender) Skip(args ...any)                  { l.borrower.Skip(args...) }
func (l lender) Skipf(format string, args ...any)  { l.borrower.Skipf(format, args...) }
func (l lender) SkipNow()                          { l.borrower.SkipNow() }

// unpublish removes every version of package name (npm unpublish --force: DELETE
// /<name>/-rev/<rev>) and checks it is gone.
func (p *VerdaccioPool) unpublish(v *Verdaccio, name string) error {
	doc := v.URL() + "/" + url.PathEscape(name)
	rev, found, err := v.packumentRev(doc)
	if err != nil || !found {
		return err
	}
	tok, err := p.janitorToken(v)
	if err != nil {
		return fmt.Errorf("unpublish %s: %w", name, err)
	}
	req, err := http.NewRequest(http.MethodDelete, doc+"/-rev/"+url.PathEscape(rev), nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("unpublish %s: %w", name, err)
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("unpublish %s: status %d: %s", name, resp.StatusCode, bytes.TrimSpace(b))
	}
	if _, found, err := v.packumentRev(doc); err != nil || found {
		return fmt.Errorf("unpublish %s: still there afterwards (%v)", name, err)
	}
	return nil
}

// janitorToken is the token of a user made once per verdaccio to unpublish with
// (verdaccio hashes passwords with bcrypt: a user per unpublish would cost CPU).
func (p *VerdaccioPool) janitorToken(v *Verdaccio) (string, error) {
	p.mu.Lock()
	tok := p.janitor[v]
	p.mu.Unlock()
	if tok != "" {
		return tok, nil
	}
	tok, err := (&npmRegistry{v: v}).newUserToken(context.Background())
	if err != nil {
		return "", err
	}
	p.mu.Lock()
	p.janitor[v] = tok
	p.mu.Unlock()
	return tok, nil
}

// packumentRev reads a package document's _rev; found is false on 404.
func (v *Verdaccio) packumentRev(doc string) (rev string, found bool, err error) {
	resp, err := http.Get(doc)
	if err != nil {
		return "", false, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	switch {
	case err != nil:
		return "", false, err
	case resp.StatusCode == http.StatusNotFound:
		return "", false, nil
	case resp.StatusCode != http.StatusOK:
		return "", false, fmt.Errorf("GET %s: status %d: %s", doc, resp.StatusCode, bytes.TrimSpace(b))
	}
	var d struct {
		Rev string `json:"_rev"`
	}
	if err := json.Unmarshal(b, &d); err != nil || strings.TrimSpace(d.Rev) == "" {
		return "", true, fmt.Errorf("GET %s: no _rev in the package document (%v)", doc, err)
	}
	return d.Rev, true, nil
}
