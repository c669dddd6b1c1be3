package message

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAttachmentJSON(t *testing.T) {
	cases := []struct {
		a    Attachment
		want string
	}{
		{ImageAttachment("MEDIA"), `{"msgtype":"image","image":{"media_id":"MEDIA"}}`},
		{ImageURLAttachment("https://p/x.png"), `{"msgtype":"image","image":{"pic_url":"https://p/x.png"}}`},
		{LinkAttachment(Link{Title: "新品", PicURL: "https://p", Desc: "d", URL: "https://u"}), `{"msgtype":"link","link":{"title":"新品","picurl":"https://p","desc":"d","url":"https://u"}}`},
		{MiniProgramAttachment(MiniProgram{Title: "t", PicMediaID: "M", AppID: "wx1", Page: "/p.html"}), `{"msgtype":"miniprogram","miniprogram":{"title":"t","pic_media_id":"M","appid":"wx1","page":"/p.html"}}`},
		{VideoAttachment("V"), `{"msgtype":"video","video":{"media_id":"V"}}`},
		{FileAttachment("F"), `{"msgtype":"file","file":{"media_id":"F"}}`},
	}
	for _, tc := range cases {
		b, err := json.Marshal(tc.a)
		require.NoError(t, err)
		assert.JSONEq(t, tc.want, string(b))
		var back Attachment
		require.NoError(t, json.Unmarshal([]byte(tc.want), &back))
		assert.Equal(t, tc.a, back)
		assert.True(t, back.Valid())
	}
}

func TestAttachmentValid(t *testing.T) {
	assert.False(t, Attachment{}.Valid())
	assert.False(t, Attachment{MsgType: TypeImage}.Valid())
	assert.False(t, Attachment{MsgType: TypeLink, Image: &Image{MediaID: "x"}}.Valid())
	assert.False(t, Attachment{MsgType: TypeImage, Image: &Image{}, File: &File{}}.Valid())
	assert.False(t, Attachment{MsgType: "voice", File: &File{}}.Valid())
}
