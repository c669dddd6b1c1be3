package wecomtest

import (
	"encoding/base64"
	"strconv"
	"strings"
)

// Cursors are opaque to clients, as WeCom's are: an offset encoded with a
// per-endpoint tag, so a cursor from one endpoint is refused by another.

func encodeCursor(tag string, offset int) string {
	return base64.RawURLEncoding.EncodeToString([]byte(tag + ":" + strconv.Itoa(offset)))
}

func decodeCursor(tag, cursor string) (int, error) {
	if cursor == "" {
		return 0, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		return 0, errorf(codeInvalidParameter, "invalid cursor")
	}
	t, n, ok := strings.Cut(string(raw), ":")
	off, err := strconv.Atoi(n)
	if !ok || t != tag || err != nil || off < 0 {
		return 0, errorf(codeInvalidParameter, "invalid cursor")
	}
	return off, nil
}

// checkLimit validates a page size: 0 means def, above max is an error.
func checkLimit(limit, def, max int) (int, error) {
	switch {
	case limit == 0:
		return def, nil
	case limit < 0 || limit > max:
		return 0, errorf(codeInvalidParameter, "invalid limit %d: must be 1..%d", limit, max)
	}
	return limit, nil
}

// page cuts items at cursor for limit items and returns the next cursor
// ("" after the last page). tag names the endpoint.
func page[T any](tag string, items []T, cursor string, limit int) ([]T, string, error) {
	off, err := decodeCursor(tag, cursor)
	if err != nil {
		return nil, "", err
	}
	if off > len(items) {
		return nil, "", errorf(codeInvalidParameter, "invalid cursor")
	}
	end := off + limit
	if end >= len(items) {
		return items[off:], "", nil
	}
	return items[off:end], encodeCursor(tag, end), nil
}
