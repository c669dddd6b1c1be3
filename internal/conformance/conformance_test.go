package conformance

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wecomkit/wecom/wecomtest"
)

// areaDirs are the packages the rules apply to: every top-level package
// that calls WeCom endpoints through a Service (or, for providers, Suite
// and Provider). A new area package is picked up when it has a service.go
// or a doc line.
func areaDirs(t *testing.T) []string {
	t.Helper()
	root := filepath.Join("..", "..")
	skip := map[string]bool{"callback": true, "crypto": true, "wecomtest": true, "internal": true, "examples": true,
		"contrib": true, "message": true, "strategy": true, "docs": true}
	ents, err := os.ReadDir(root)
	require.NoError(t, err)
	var dirs []string
	for _, e := range ents {
		if !e.IsDir() || skip[e.Name()] || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		dir := filepath.Join(root, e.Name())
		if p, err := Load(dir); err == nil && len(p.Endpoints()) > 0 {
			dirs = append(dirs, dir)
		}
	}
	require.GreaterOrEqual(t, len(dirs), 3, "externalcontact, groupchat and moments at least")
	return dirs
}

func loadAll(t *testing.T, dirs ...string) []*Package {
	t.Helper()
	var pkgs []*Package
	for _, d := range dirs {
		p, err := Load(d)
		require.NoError(t, err, d)
		pkgs = append(pkgs, p)
	}
	return pkgs
}

// TestAreaPackagesConform fails on any break of the rules in the area
// packages, and logs the count per rule (-v shows them).
func TestAreaPackagesConform(t *testing.T) {
	vs := Check(loadAll(t, areaDirs(t)...)...)
	counts := Count(vs)
	rules := make([]string, 0, len(counts))
	for r := range counts {
		rules = append(rules, r)
	}
	sort.Strings(rules)
	for _, r := range rules {
		t.Logf("%-15s %4d  %s", r, counts[r], Rules[r])
	}
	for _, v := range vs {
		t.Error(v)
	}
}

// TestEveryRuleCatchesTheBrokenPackage keeps the checker honest: a rule
// that finds nothing in testdata/broken is a rule that cannot fail.
func TestEveryRuleCatchesTheBrokenPackage(t *testing.T) {
	vs := Check(loadAll(t, filepath.Join("testdata", "broken"), filepath.Join("testdata", "twin"))...)
	counts := Count(vs)
	for rule := range Rules {
		assert.NotZero(t, counts[rule], "rule %s caught nothing in testdata/broken", rule)
	}
	want := map[string]int{"arg-errors": 2}
	for rule, n := range want {
		assert.Equal(t, n, counts[rule], rule)
	}
	// The well-formed methods of the broken package pass.
	for _, v := range vs {
		assert.NotContains(t, v.Msg, "AllThings", "AllThings is well formed: %s", v)
	}
}

// TestDocLinesAreServedByWecomtest checks that every endpoint an area
// package names in a `WeCom: METHOD /path` doc line is served by
// wecomtest, with the same method: the fake must model all we wrap.
func TestDocLinesAreServedByWecomtest(t *testing.T) {
	srv := wecomtest.Start(t)
	n := 0
	for _, p := range loadAll(t, areaDirs(t)...) {
		for _, ep := range p.Endpoints() {
			n++
			got := srv.Method(ep.Path)
			if got == "" {
				t.Errorf("%s: %s %s is not served by wecomtest", ep.Pos, ep.Method, ep.Path)
			} else if got != ep.Method {
				t.Errorf("%s: %s %s is served by wecomtest as %s", ep.Pos, ep.Method, ep.Path, got)
			}
		}
	}
	require.Greater(t, n, 100, "the doc lines were found")
}
