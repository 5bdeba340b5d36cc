package artifact

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// lstatBelow resolves the slash-separated rel below root one element at a
// time with Lstat, so a symlink anywhere on the way is reported instead of
// silently followed. It returns the full path, the final element's info,
// and link: the slash path (relative to root) of the first symlink met, or
// "" if there was none, in which case fi is the info of the file itself.
func lstatBelow(root, rel string) (full string, fi fs.FileInfo, link string, err error) {
	elems := strings.Split(rel, "/")
	full = root
	for i, elem := range elems {
		full = filepath.Join(full, elem)
		if fi, err = os.Lstat(full); err != nil {
			return full, nil, "", err
		}
		if fi.Mode()&fs.ModeSymlink != 0 {
			return full, fi, strings.Join(elems[:i+1], "/"), nil
		}
	}
	return full, fi, "", nil
}
