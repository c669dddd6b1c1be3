// Package wire holds the low-level pieces of the WeCom wire format that the
// request pipeline needs on every call: reading errcode/errmsg without a full
// JSON decode, splitting WeCom's hint off errmsg, and redacting secrets.
package wire

import (
	"strconv"
	"strings"
)

// Status is the errcode/errmsg pair every WeCom JSON response carries at its
// top level.
type Status struct {
	Code    int
	Message string
	// HasCode reports whether an "errcode" member was present.
	HasCode bool
}

// ScanStatus reads the top-level "errcode" and "errmsg" members of a JSON
// object without decoding anything else. It walks the object once, skipping
// nested values by bracket depth, and allocates only when errmsg holds
// escape sequences. ok is false when body is not a well-formed JSON object as
// far as the scan could tell (the caller then reports a malformed response).
func ScanStatus(body []byte) (st Status, ok bool) {
	i := skipSpace(body, 0)
	if i >= len(body) || body[i] != '{' {
		return st, false
	}
	i++
	for {
		i = skipSpace(body, i)
		if i >= len(body) {
			return st, false
		}
		if body[i] == '}' {
			return st, true
		}
		if body[i] != '"' {
			return st, false
		}
		keyStart := i + 1
		end, escaped := scanString(body, i)
		if end < 0 {
			return st, false
		}
		key := body[keyStart : end-1]
		i = skipSpace(body, end)
		if i >= len(body) || body[i] != ':' {
			return st, false
		}
		i = skipSpace(body, i+1)
		valStart := i
		i = skipValue(body, i)
		if i < 0 {
			return st, false
		}
		if !escaped {
			switch string(key) { // no allocation: the compiler optimises string(bytes) in a switch
			case "errcode":
				n, err := strconv.Atoi(string(body[valStart:i]))
				if err != nil {
					return st, false
				}
				st.Code, st.HasCode = n, true
			case "errmsg":
				if body[valStart] == '"' {
					st.Message = unquote(body[valStart:i])
				}
			}
		}
		i = skipSpace(body, i)
		if i >= len(body) {
			return st, false
		}
		switch body[i] {
		case ',':
			i++
		case '}':
			return st, true
		default:
			return st, false
		}
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) {
		switch b[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// scanString returns the index just past the closing quote of the string that
// starts at b[i] (which must be '"'), and whether it contains escapes; -1 when
// it is unterminated.
func scanString(b []byte, i int) (int, bool) {
	escaped := false
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			escaped = true
			j++
		case '"':
			return j + 1, escaped
		}
	}
	return -1, escaped
}

// skipValue returns the index just past the JSON value starting at b[i], or -1.
func skipValue(b []byte, i int) int {
	if i >= len(b) {
		return -1
	}
	switch b[i] {
	case '"':
		end, _ := scanString(b, i)
		return end
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				end, _ := scanString(b, j)
				if end < 0 {
					return -1
				}
				j = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return -1
	default:
		j := i
		for j < len(b) {
			switch b[j] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				if j == i {
					return -1
				}
				return j
			}
			j++
		}
		return -1
	}
}

// unquote decodes a JSON string literal (including its quotes). It falls back
// to a permissive result rather than failing: errmsg is informational.
func unquote(q []byte) string {
	s := q[1 : len(q)-1]
	if !containsByte(s, '\\') {
		return string(s)
	}
	if u, err := strconv.Unquote(string(q)); err == nil {
		return u
	}
	// JSON allows escapes Go's Unquote does not (\/); handle them by hand.
	var sb strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 >= len(s) {
			sb.WriteByte(c)
			continue
		}
		i++
		switch s[i] {
		case 'n':
			sb.WriteByte('\n')
		case 't':
			sb.WriteByte('\t')
		case 'r':
			sb.WriteByte('\r')
		case 'b':
			sb.WriteByte('\b')
		case 'f':
			sb.WriteByte('\f')
		case 'u':
			if i+4 < len(s) {
				if r, err := strconv.ParseUint(string(s[i+1:i+5]), 16, 32); err == nil {
					sb.WriteRune(rune(r))
					i += 4
					continue
				}
			}
			sb.WriteByte('u')
		default:
			sb.WriteByte(s[i])
		}
	}
	return sb.String()
}

func containsByte(b []byte, c byte) bool {
	for _, x := range b {
		if x == c {
			return true
		}
	}
	return false
}

// SplitHint separates the diagnostic tail WeCom appends to errmsg
// (", hint: [1700000000_1_abc], from ip: 1.2.3.4, more info at https://...")
// from the message itself and returns the message and the hint id.
func SplitHint(errmsg string) (msg, hint string) {
	i := strings.Index(errmsg, ", hint: [")
	if i < 0 {
		if j := strings.Index(errmsg, "hint: ["); j == 0 {
			i = 0
		} else {
			return errmsg, ""
		}
	}
	msg = errmsg[:i]
	rest := errmsg[i:]
	open := strings.IndexByte(rest, '[')
	if cl := strings.IndexByte(rest[open+1:], ']'); cl >= 0 {
		hint = rest[open+1 : open+1+cl]
	}
	return msg, hint
}
