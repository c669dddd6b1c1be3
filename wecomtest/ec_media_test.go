package wecomtest

import (
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A media id lasts 3 days on the server clock: every customer-contact
// endpoint that takes one refuses an older one with 40007, as WeCom
// refuses an invalid media_id, and takes a fresh one.
func TestECEndpointsRefuseExpiredMedia(t *testing.T) {
	clk := NewManualClock(time.Unix(1_700_000_000, 0))
	s := Start(t, WithClock(clk))
	old := s.AddMedia(Media{Type: "image"}).MediaID
	oldAlbum := s.AddMedia(Media{Type: "image", AttachmentType: 2}).MediaID
	clk.Advance(72 * time.Hour)
	fresh := s.AddMedia(Media{Type: "image"}).MediaID
	freshAlbum := s.AddMedia(Media{Type: "image", AttachmentType: 2}).MediaID

	require.NoError(t, s.AddUser(User{UserID: "zhangsan", CustomerContact: true}))
	c, err := s.AddCustomer(Customer{Name: "客户"}, Follow{UserID: "zhangsan"})
	require.NoError(t, err)
	welcome := func() string {
		evs := s.Events()
		return evs[len(evs)-1].Get("WelcomeCode")
	}
	q := url.Values{"access_token": {token(t, s)}}
	const p = "/cgi-bin/externalcontact/"
	for name, body := range map[string]func(media, album string) string{
		"send_welcome_msg": func(m, _ string) string {
			return `{"welcome_code":"` + welcome() + `","attachments":[{"msgtype":"image","image":{"media_id":"` + m + `"}}]}`
		},
		"add_msg_template": func(m, _ string) string {
			return `{"external_userid":["` + c.ExternalUserID + `"],"attachments":[{"msgtype":"image","image":{"media_id":"` + m + `"}}]}`
		},
		"add_contact_way": func(m, _ string) string {
			return `{"type":1,"scene":2,"user":["zhangsan"],"is_temp":true,"conclusions":{"image":{"media_id":"` + m + `"}}}`
		},
		"remark": func(m, _ string) string {
			return `{"userid":"zhangsan","external_userid":"` + c.ExternalUserID + `","remark_pic_mediaid":"` + m + `"}`
		},
		"add_product_album": func(_, a string) string {
			return `{"description":"d","price":100,"attachments":[{"type":"image","image":{"media_id":"` + a + `"}}]}`
		},
	} {
		if name == "send_welcome_msg" {
			_, err := s.AddCustomer(Customer{Name: "新客"}, Follow{UserID: "zhangsan"})
			require.NoError(t, err)
		}
		_, out := rawCall(t, s, "POST", p+name, q, body(old, oldAlbum))
		assert.EqualValues(t, 40007, out["errcode"], "%s with a media id of 3 days: %v", name, out)
		_, out = rawCall(t, s, "POST", p+name, q, body(fresh, freshAlbum))
		assert.EqualValues(t, 0, out["errcode"], "%s with a fresh media id: %v", name, out)
	}
}
