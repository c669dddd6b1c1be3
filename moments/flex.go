package moments

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
)

// flexInt decodes a Unix time or count that WeCom sends as a number in
// some responses and as a numeric string in others (create_time of
// get_moment_list, created_at of upload_attachment). null and "" decode
// to 0.
type flexInt int64

func (f *flexInt) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		b = []byte(s)
	}
	if len(b) == 0 || string(b) == "null" {
		*f = 0
		return nil
	}
	n, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		// A float such as 1700000000.0: keep the integral part.
		x, ferr := strconv.ParseFloat(string(b), 64)
		if ferr != nil || math.IsNaN(x) || x >= math.MaxInt64 || x <= math.MinInt64 {
			return fmt.Errorf("moments: %q is not an integer in range", b)
		}
		n = int64(x)
	}
	*f = flexInt(n)
	return nil
}

// flexString decodes a value WeCom documents as a string but may send as
// a bare number (the latitude and longitude of a moment's location).
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		*f = ""
	case b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexString(s)
	default:
		var n json.Number
		if err := json.Unmarshal(b, &n); err != nil {
			return fmt.Errorf("moments: %s is neither a string nor a number", b)
		}
		*f = flexString(n.String())
	}
	return nil
}
