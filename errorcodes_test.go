package wecom

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestErrorCodesMatchWeCom pins the codes an audit against WeCom's error
// list corrected: each was wrong before.
func TestErrorCodesMatchWeCom(t *testing.T) {
	e := func(c Code) error { return &Error{Code: c} }
	assert.True(t, IsNotReady(e(41063)), "41063: a mass message still being dispatched")
	assert.False(t, IsNotReady(e(41064)), "41064 is attachment too large: final, never polled on")
	assert.Equal(t, "attachment too large", Code(41064).String())
	assert.Equal(t, "invalid send time", Code(41052).String())
	assert.Equal(t, "invalid attachment type", Code(41065).String())
	assert.Equal(t, Code(41054), CodeMemberNotActivated)
	assert.Equal(t, "member has not passed real-name verification", Code(40098).String())
	assert.Equal(t, "45011", Code(45011).String(), "not a WeCom code: no name")
	assert.True(t, IsRateLimited(e(45011)), "but retrying on it stays harmless")
	for c := Code(41037); c <= 41045; c++ {
		assert.NotEqual(t, strconv.Itoa(int(c)), c.String(), "contact-way code %d is named", c)
	}
	assert.Equal(t, "contact way quota reached", CodeContactWayQuota.String())
}
