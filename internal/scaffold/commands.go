package scaffold

import "slices"

// buildCommands are the [[build.command]]s of one kind. argv wherever a
// program can write into dist itself; a shell only where a file has to be
// moved by glob, with nothing from outside this file in the line.
func buildCommands(k Kind, name, manifest string, kinds []Kind) []command {
	switch k {
	case Python:
		c := command{
			Name:    "sdist and wheel",
			Comment: []string{"python -m build makes both in an isolated environment (the workflow installs build)."},
			Argv:    []string{"python3", "-m", "build", "--outdir", "dist"},
		}
		if slices.Contains(kinds, Rust) {
			c.Comment = append(c.Comment,
				"With a Rust extension (maturin) this is a wheel for the runner's platform only:",
				"build the others in a matrix of build jobs and combine their manifests",
				"with `releaser manifest merge`.")
		}
		return []command{c}
	case Npm:
		return []command{{
			Name: "npm tarball",
			Comment: []string{
				"npm pack runs the prepack and prepare scripts; if they need the dependencies,",
				`add a command with argv = ["npm", "ci"] before this one.`,
			},
			Argv: []string{"npm", "pack", "--pack-destination", "dist"},
		}}
	case Rust:
		return []command{{
			Name: "crate",
			Comment: []string{
				"--no-verify skips compiling the packaged copy again (your CI builds and tests",
				"the crate); remove it to have the release check that the package compiles.",
			},
			Argv: []string{"cargo", "package", "--no-verify"},
		}, {
			Name: "crate into dist",
			Comment: []string{
				"cargo package always writes target/package/" + name + "-<version>.crate;",
				"a shell expands the glob (a fresh checkout in CI holds only this crate's).",
			},
			Shell: "cp target/package/*.crate dist/",
		}}
	case Ruby:
		return []command{{
			Name: "gem",
			Comment: []string{
				"gem build writes " + name + "-<version>.gem into the current directory;",
				"the shell moves it into dist.",
			},
			Shell: "gem build " + manifest + " && mv " + name + "-*.gem dist/",
		}}
	}
	return nil
}
