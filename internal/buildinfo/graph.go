package buildinfo

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sort"
	"strings"
)

// Package is what `go list -deps -json` says about one package of a build.
type Package struct {
	ImportPath string
	Standard   bool
	Module     *ListModule
	Imports    []string
}

// ListModule is go list's description of a package's module.
type ListModule struct {
	Path    string
	Version string
	Main    bool
	Replace *ListModule
}

func (m *ListModule) module() Module {
	out := Module{Path: m.Path, Version: m.Version}
	if m.Replace != nil {
		out.Replace = &Module{Path: m.Replace.Path, Version: m.Replace.Version}
	}
	return out
}

// ListDeps lists the packages `go build pattern` compiles in dir, with
// CGO_ENABLED=0 as releaser's binaries are built.
func ListDeps(dir, pattern string) ([]Package, error) {
	cmd := exec.Command("go", "list", "-deps", "-json=ImportPath,Standard,Module,Imports", pattern)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list -deps %s: %w\n%s", pattern, err, stderr.Bytes())
	}
	var pkgs []Package
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p Package
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			return pkgs, nil
		} else if err != nil {
			return nil, fmt.Errorf("reading go list -deps: %w", err)
		}
		pkgs = append(pkgs, p)
	}
}

// Group is one module the main module imports, with the modules that only
// it brings into the build.
type Group struct {
	Direct    Module
	Importers []string // the main module's packages that import it, relative to the module root
	Indirect  []Module
}

// SharedModule is a module that several direct dependencies bring in.
type SharedModule struct {
	Module
	Via []string // the direct dependencies' paths
}

// Graph is a build's modules arranged by which direct dependency needs them.
type Graph struct {
	Groups []Group
	Shared []SharedModule
	// Chain is, per module path, an import chain from a main-module package
	// to one of the module's packages: the "why" a person starts from.
	Chain map[string][]string
}

// Modules is every module of the graph, sorted by path.
func (g Graph) Modules() []Module {
	var mods []Module
	for _, gr := range g.Groups {
		mods = append(mods, gr.Direct)
		mods = append(mods, gr.Indirect...)
	}
	for _, s := range g.Shared {
		mods = append(mods, s.Module)
	}
	sort.Slice(mods, func(i, j int) bool { return mods[i].Path < mods[j].Path })
	return mods
}

// Analyze arranges the modules of a build. An indirect module belongs to
// the direct dependency through whose packages it is reached without
// passing through another direct dependency's packages (that one pulls it
// in); one reached that way from several is shared.
func Analyze(pkgs []Package) (Graph, error) {
	byPath := map[string]*Package{}
	for i := range pkgs {
		byPath[pkgs[i].ImportPath] = &pkgs[i]
	}
	modOf := func(p *Package) *ListModule {
		if p == nil || p.Standard || p.Module == nil || p.Module.Main {
			return nil
		}
		return p.Module
	}
	mainPath := ""
	importers := map[string]map[string]bool{} // direct module → main packages
	entries := map[string][]string{}          // direct module → its packages the main module imports
	for i := range pkgs {
		p := &pkgs[i]
		if p.Module == nil || !p.Module.Main {
			continue
		}
		mainPath = p.Module.Path
		for _, imp := range p.Imports {
			m := modOf(byPath[imp])
			if m == nil {
				continue
			}
			if importers[m.Path] == nil {
				importers[m.Path] = map[string]bool{}
			}
			importers[m.Path][p.ImportPath] = true
			entries[m.Path] = append(entries[m.Path], imp)
		}
	}
	if mainPath == "" {
		return Graph{}, errors.New("no package of the main module in the build")
	}

	// A walk per direct dependency over the packages it reaches. Reaching a
	// package of another direct dependency hands that package to the other's
	// walk: what it imports is that dependency's need, not this one's.
	type step struct{ direct, pkg string }
	modules := map[string]*ListModule{}
	via := map[string]map[string]bool{}
	visited := map[step]bool{}
	var work []step
	for d, start := range entries {
		for _, p := range start {
			work = append(work, step{d, p})
		}
	}
	for len(work) > 0 {
		s := work[len(work)-1]
		work = work[:len(work)-1]
		if visited[s] {
			continue
		}
		visited[s] = true
		m := modOf(byPath[s.pkg])
		if m == nil {
			continue
		}
		modules[m.Path] = m
		if m.Path != s.direct && importers[m.Path] != nil {
			work = append(work, step{m.Path, s.pkg})
			continue
		}
		if m.Path != s.direct {
			if via[m.Path] == nil {
				via[m.Path] = map[string]bool{}
			}
			via[m.Path][s.direct] = true
		}
		for _, imp := range byPath[s.pkg].Imports {
			work = append(work, step{s.direct, imp})
		}
	}

	var g Graph
	groups := map[string]*Group{}
	for d := range importers {
		gr := &Group{Direct: modules[d].module()}
		for p := range importers[d] {
			gr.Importers = append(gr.Importers, strings.TrimPrefix(strings.TrimPrefix(p, mainPath), "/"))
		}
		sort.Strings(gr.Importers)
		groups[d] = gr
	}
	for path, ds := range via {
		if len(ds) == 1 {
			for d := range ds {
				groups[d].Indirect = append(groups[d].Indirect, modules[path].module())
			}
			continue
		}
		s := SharedModule{Module: modules[path].module()}
		for d := range ds {
			s.Via = append(s.Via, d)
		}
		sort.Strings(s.Via)
		g.Shared = append(g.Shared, s)
	}
	for _, gr := range groups {
		sort.Slice(gr.Indirect, func(i, j int) bool { return gr.Indirect[i].Path < gr.Indirect[j].Path })
		g.Groups = append(g.Groups, *gr)
	}
	sort.Slice(g.Groups, func(i, j int) bool { return g.Groups[i].Direct.Path < g.Groups[j].Direct.Path })
	sort.Slice(g.Shared, func(i, j int) bool { return g.Shared[i].Path < g.Shared[j].Path })
	g.Chain = chains(pkgs, byPath, modOf, mainPath)
	return g, nil
}

// chains finds, breadth first from the main module's packages, the shortest
// import chain to each module.
func chains(pkgs []Package, byPath map[string]*Package, modOf func(*Package) *ListModule, mainPath string) map[string][]string {
	parent := map[string]string{}
	var queue []string
	for _, p := range pkgs {
		if p.Module != nil && p.Module.Main {
			parent[p.ImportPath] = ""
			queue = append(queue, p.ImportPath)
		}
	}
	sort.Strings(queue) // the same chain on every run
	out := map[string][]string{}
	for len(queue) > 0 {
		path := queue[0]
		queue = queue[1:]
		p := byPath[path]
		if p == nil {
			continue
		}
		if m := modOf(p); m != nil && out[m.Path] == nil {
			var chain []string
			for at := path; at != ""; at = parent[at] {
				chain = append([]string{strings.TrimPrefix(strings.TrimPrefix(at, mainPath), "/")}, chain...)
			}
			out[m.Path] = chain
		}
		for _, imp := range p.Imports {
			if _, ok := parent[imp]; !ok && byPath[imp] != nil && !byPath[imp].Standard {
				parent[imp] = path
				queue = append(queue, imp)
			}
		}
	}
	return out
}
