package profile

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestExternalDecodes(t *testing.T) {
	var p External
	require.NoError(t, json.Unmarshal([]byte(`{"external_corp_name":"企业简称","wechat_channels":{"nickname":"视频号","status":1},
		"external_attr":[{"type":0,"name":"文本","text":{"value":"v"}},{"type":1,"name":"网页","web":{"url":"http://x","title":"t"}},
		{"type":2,"name":"小程序","miniprogram":{"appid":"wx1","pagepath":"/i","title":"m"}}]}`), &p))
	assert.Equal(t, External{
		ExternalCorpName: "企业简称",
		WechatChannels:   &WechatChannels{Nickname: "视频号", Status: 1},
		ExternalAttr: []Attr{
			{Type: AttrText, Name: "文本", Text: &TextAttr{Value: "v"}},
			{Type: AttrWeb, Name: "网页", Web: &WebAttr{URL: "http://x", Title: "t"}},
			{Type: AttrMiniProgram, Name: "小程序", MiniProgram: &MiniProgramAttr{AppID: "wx1", PagePath: "/i", Title: "m"}},
		},
	}, p)
}

func TestAttrTypeString(t *testing.T) {
	for a, want := range map[AttrType]string{AttrText: "text", AttrWeb: "web", AttrMiniProgram: "miniprogram", 7: "AttrType(7)"} {
		assert.Equal(t, want, a.String())
	}
}
