package wecomtest

import (
	"fmt"
	"math/rand/v2"
)

const idAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// ids makes identifiers shaped like WeCom's from a seeded source, so a
// seeded server hands out the same ids in the same order every run.
type ids struct {
	rnd *rand.Rand
	seq int
}

func newIDs(seed uint64) *ids { return &ids{rnd: rand.New(rand.NewPCG(seed, 0x5eed))} }

func (g *ids) random(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = idAlphabet[g.rnd.IntN(len(idAlphabet))]
	}
	return string(b)
}

// Kinds of id, each with WeCom's prefix and length.
func (g *ids) externalUserID() string { return "wm" + g.random(30) }
func (g *ids) tagID() string          { return "et" + g.random(30) }
func (g *ids) chatID() string         { return "wr" + g.random(30) }
func (g *ids) unionID() string        { return "o" + g.random(27) }
func (g *ids) configID() string       { return fmt.Sprintf("%016x%016x", g.rnd.Uint64(), g.rnd.Uint64()) }
func (g *ids) token() string          { return g.random(64) + "-" + g.random(24) }
func (g *ids) hint() string {
	g.seq++
	return fmt.Sprintf("%d_%d_%s", 1700000000+g.seq, g.seq, g.random(8))
}

// ID returns a fresh id with the given prefix and n random characters,
// for area state (msgid, jobid, moment_id, ...).
func (g *ids) ID(prefix string, n int) string { return prefix + g.random(n) }
