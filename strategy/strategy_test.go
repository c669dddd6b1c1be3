package strategy

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wecomkit/wecom"
)

func TestRangeWireShape(t *testing.T) {
	b, err := json.Marshal([]Range{Member("zhangsan"), Department(7)})
	require.NoError(t, err)
	assert.JSONEq(t, `[{"type":1,"userid":"zhangsan"},{"type":2,"partyid":7}]`, string(b))
	var back []Range
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, []Range{{Type: RangeMember, UserID: "zhangsan"}, {Type: RangeDepartment, PartyID: 7}}, back)
}

func TestCheck(t *testing.T) {
	assert.NoError(t, Check("op", nil))
	assert.NoError(t, Check("op", []Range{Member("a"), Department(1)}))
	for name, rs := range map[string][]Range{
		"member without userid": {Member("a"), {Type: RangeMember}},
		"department without id": {Department(0)},
		"unknown type":          {{Type: 3, UserID: "a"}},
		"zero type":             {{UserID: "a"}},
	} {
		err := Check("externalcontact: create strategy", rs)
		require.Error(t, err, name)
		assert.ErrorIs(t, err, wecom.ErrInvalidArgument, name)
		assert.Contains(t, err.Error(), "externalcontact: create strategy: range ", name)
	}
}

func TestRangeTypeString(t *testing.T) {
	assert.Equal(t, "member", RangeMember.String())
	assert.Equal(t, "department", RangeDepartment.String())
	assert.Equal(t, "RangeType(9)", RangeType(9).String())
}
