package flex

import (
	"encoding/json"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestInt(t *testing.T) {
	for _, in := range []string{`"NaN"`, `"Inf"`, `1e30`, `-1e30`, `"x"`, `"1`, `true`, `"soon"`} {
		var f Int
		assert.Error(t, f.UnmarshalJSON([]byte(in)), in)
	}
	for in, want := range map[string]int64{`"12"`: 12, `12`: 12, `1.9e3`: 1900, `""`: 0, `null`: 0, ` 5 `: 5, ``: 0, `-3`: -3} {
		var f Int
		require.NoError(t, f.UnmarshalJSON([]byte(in)), in)
		assert.Equal(t, want, int64(f), in)
	}
}

func TestString(t *testing.T) {
	for in, want := range map[string]string{`"abc"`: "abc", `123`: "123", `null`: "", ``: "", `1.5`: "1.5"} {
		var s String
		require.NoError(t, s.UnmarshalJSON([]byte(in)), in)
		assert.Equal(t, want, string(s), in)
	}
	var s String
	assert.Error(t, s.UnmarshalJSON([]byte(`"x`)))
	assert.Error(t, s.UnmarshalJSON([]byte(`{}`)))
}

func TestBool(t *testing.T) {
	for in, want := range map[string]bool{`true`: true, `1`: true, `"1"`: true, `"true"`: true, `false`: false, `0`: false, `null`: false, `""`: false, `"0"`: false} {
		var b Bool
		require.NoError(t, b.UnmarshalJSON([]byte(in)), in)
		assert.Equal(t, want, bool(b), in)
	}
	var b Bool
	assert.ErrorContains(t, b.UnmarshalJSON([]byte(`2`)), "not a boolean")
}

// FuzzParse: no input panics, and a number reads the same bare or quoted.
func FuzzParse(f *testing.F) {
	for _, s := range []string{`12`, `"12"`, `null`, `""`, `1e30`, `"NaN"`, `true`, `{}`, `"\u0031"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = ParseInt(b)
		_, _ = ParseString(b)
		_, _ = ParseBool(b)
		var n int64
		if json.Unmarshal(b, &n) == nil {
			bare, err1 := ParseInt([]byte(strconv.FormatInt(n, 10)))
			quoted, err2 := ParseInt([]byte(strconv.Quote(strconv.FormatInt(n, 10))))
			if err1 != nil || err2 != nil || bare != n || quoted != n {
				t.Fatalf("ParseInt(%d): %d %v, %d %v", n, bare, err1, quoted, err2)
			}
			if s, err := ParseString([]byte(strconv.FormatInt(n, 10))); err != nil || s != strconv.FormatInt(n, 10) {
				t.Fatalf("ParseString(%d) = %q, %v", n, s, err)
			}
		}
	})
}
