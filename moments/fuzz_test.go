package moments

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// FuzzDecode feeds arbitrary payloads to the decoders that accept WeCom's
// loose number-or-string fields: they must never panic, and a create_time
// they accept must agree with strconv.
func FuzzDecode(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	for _, name := range files {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"create_time":"00012"}`))
	f.Add([]byte(`{"create_time":1e3,"location":{"latitude":-0.5}}`))
	f.Add([]byte(`{"created_at":" 7"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var m Moment
		if json.Unmarshal(b, &m) == nil {
			var probe struct {
				CreateTime json.RawMessage `json:"create_time"`
			}
			if json.Unmarshal(b, &probe) == nil && len(probe.CreateTime) > 0 && probe.CreateTime[0] != '"' {
				if n, err := strconv.ParseInt(string(probe.CreateTime), 10, 64); err == nil && n != m.CreateTime {
					t.Fatalf("create_time %s decoded as %d", probe.CreateTime, m.CreateTime)
				}
			}
		}
		var list struct {
			MomentList []Moment `json:"moment_list"`
		}
		_ = json.Unmarshal(b, &list)
		var c MomentComments
		_ = json.Unmarshal(b, &c)
		var u UploadedAttachment
		_ = json.Unmarshal(b, &u)
		var l Location
		_ = json.Unmarshal(b, &l)
		var r MomentTaskResult
		_ = json.Unmarshal(b, &r)
	})
}
