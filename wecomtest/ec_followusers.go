package wecomtest

import "net/http"

func registerFollowUsers(s *Server) {
	s.handle(http.MethodGet, "/cgi-bin/externalcontact/get_follow_user_list", s.getFollowUserList)
}

// getFollowUserList serves GET /cgi-bin/externalcontact/get_follow_user_list:
// the active members with the customer-contact feature, in the order added.
func (s *Server) getFollowUserList(c *call) (any, error) {
	out := []string{}
	for _, id := range s.st.userOrder {
		if u := s.st.users[id]; u.CustomerContact && !u.Resigned {
			out = append(out, id)
		}
	}
	return struct {
		FollowUser []string `json:"follow_user"`
	}{out}, nil
}
