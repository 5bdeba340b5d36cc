package stages

// PublishedFile is one artifact at one destination after the publish stage:
// a registry or the GitHub release.
type PublishedFile struct {
	Artifact string `json:"artifact"`
	Where    string `json:"where"`  // "PyPI", "npm", …, "GitHub release"
	Result   string `json:"result"` // "published", "already published", "uploaded", "already there", "failed"
	URL      string `json:"url,omitempty"`
}

// publishedFiles turns the publish table's rows (artifact, where, result,
// url) into PublishedFiles.
func publishedFiles(rows [][]string) []PublishedFile {
	out := make([]PublishedFile, 0, len(rows))
	for _, row := range rows {
		if len(row) < 4 {
			continue
		}
		out = append(out, PublishedFile{Artifact: row[0], Where: row[1], Result: row[2], URL: row[3]})
	}
	return out
}
