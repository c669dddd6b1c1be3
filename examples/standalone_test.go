package examples_test

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// An example is a starting point people copy: a program copied out of
// examples/ must build with only the public module. So no file of an
// example (tests included) may import anything under examples/ or the
// module's internal packages.
func TestExamplesImportOnlyThePublicModule(t *testing.T) {
	dirs, err := os.ReadDir(".")
	require.NoError(t, err)
	checked := 0
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		files, err := filepath.Glob(filepath.Join(d.Name(), "*.go"))
		require.NoError(t, err)
		for _, f := range files {
			ast, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
			require.NoError(t, err, f)
			for _, imp := range ast.Imports {
				p, err := strconv.Unquote(imp.Path.Value)
				require.NoError(t, err)
				assert.False(t, strings.HasPrefix(p, "github.com/wecomkit/wecom/examples"), "%s imports %s: an example must build on its own", f, p)
				assert.False(t, strings.HasPrefix(p, "github.com/wecomkit/wecom/internal"), "%s imports %s: users cannot import internal packages", f, p)
			}
			checked++
		}
	}
	assert.GreaterOrEqual(t, checked, 8, "the examples were found")
	_, err = os.Stat("internal")
	assert.True(t, os.IsNotExist(err), "examples/internal is gone: the demo switch is wecomtest.EnvOrDemo")
}
