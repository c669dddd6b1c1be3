package wecomtest

import (
	"fmt"
	"net/http"
	"slices"
	"time"
	"unicode/utf8"
)

func registerMoments(s *Server) {
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/add_moment_task", s.addMomentTask)
	s.handle(http.MethodGet, "/cgi-bin/externalcontact/get_moment_task_result", s.getMomentTaskResult)
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/cancel_moment_task", s.cancelMomentTask)
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/get_moment_list", s.getMomentList)
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/get_moment_task", s.getMomentTask)
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/get_moment_customer_list", s.getMomentCustomerList)
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/get_moment_send_result", s.getMomentSendResult)
	s.handle(http.MethodPost, "/cgi-bin/externalcontact/get_moment_comments", s.getMomentComments)
}

// DefaultMomentTaskDuration is how long, on the server clock, an
// add_moment_task job runs before its moment exists.
const DefaultMomentTaskDuration = time.Second

// Errcodes of the moment endpoints.
const (
	codeMomentInvalidMediaID = 40007
	// maxMomentSpan is the longest start_time..end_time of get_moment_list
	// (30 days in the current documentation; older copies said a month).
	maxMomentSpan = 30 * 24 * 3600
)

// Moment is a customer moment (客户朋友圈) as the server keeps it.
type Moment struct {
	MomentID string
	// Creator is the member who created a personal moment; empty for
	// moments the corp published through add_moment_task.
	Creator    string
	CreateTime int64
	// CreateType is 0 for a corp moment, 1 for a member's own.
	CreateType int
	// VisibleType is 0 when visible to some customers (a tag filter), 1
	// when public.
	VisibleType       int
	Text              string
	ImageMediaIDs     []string
	VideoMediaID      string
	VideoThumbMediaID string
	LinkTitle         string
	LinkURL           string
	LinkMediaID       string
	Location          *MomentLocation
	// Senders are the members asked to publish it; for a personal moment
	// the creator alone (the default).
	Senders []string
	// TagIDs limit the customers who see it to those with one of the tags.
	TagIDs []string
	// Cancelled is set by cancel_moment_task.
	Cancelled bool
}

// MomentLocation is where a moment was published.
type MomentLocation struct {
	Latitude  string
	Longitude string
	Name      string
}

// MomentComment is a comment or like on a sender's copy of a moment,
// written by one of their customers (ExternalUserID) or by a colleague
// (UserID).
type MomentComment struct {
	Sender         string
	ExternalUserID string
	UserID         string
	CreateTime     int64
	Like           bool
}

type momentState struct {
	duration time.Duration
	jobs     map[string]*momentJob
	moments  map[string]*momentRec
	order    []string
}

func newMomentState() *momentState {
	return &momentState{duration: DefaultMomentTaskDuration, jobs: map[string]*momentJob{}, moments: map[string]*momentRec{}}
}

func (s *Server) moments() *momentState { return areaState(s, "moments", newMomentState) }

type momentRec struct {
	Moment
	tasks    []*momentTask
	comments []MomentComment
}

func (m *momentRec) task(userID string) *momentTask {
	for _, t := range m.tasks {
		if t.userID == userID {
			return t
		}
	}
	return nil
}

type momentTask struct {
	userID    string
	published bool
	customers []string // the visible range chosen when the moment was created
	sent      []string // the customers who can see it once published
}

type momentJob struct {
	id      string
	created time.Time
	doneAt  time.Time
	req     addMomentTaskReq
	settled bool
	result  momentJobResult
}

type momentJobResult struct {
	ErrCode                    int             `json:"errcode"`
	ErrMsg                     string          `json:"errmsg"`
	MomentID                   string          `json:"moment_id,omitempty"`
	InvalidSenderList          *momentSenders  `json:"invalid_sender_list,omitempty"`
	InvalidExternalContactList *momentContacts `json:"invalid_external_contact_list,omitempty"`
}

type momentSenders struct {
	UserList       []string `json:"user_list"`
	DepartmentList []int    `json:"department_list"`
}

type momentContacts struct {
	TagList []string `json:"tag_list"`
}

type momentAttachment struct {
	MsgType string `json:"msgtype"`
	Image   *struct {
		MediaID string `json:"media_id"`
	} `json:"image"`
	Video *struct {
		MediaID string `json:"media_id"`
	} `json:"video"`
	Link *struct {
		Title   string `json:"title"`
		URL     string `json:"url"`
		MediaID string `json:"media_id"`
	} `json:"link"`
}

type addMomentTaskReq struct {
	Text *struct {
		Content string `json:"content"`
	} `json:"text"`
	Attachments  []momentAttachment `json:"attachments"`
	VisibleRange *struct {
		SenderList          *momentSenders  `json:"sender_list"`
		ExternalContactList *momentContacts `json:"external_contact_list"`
	} `json:"visible_range"`
}

// SetMomentTaskDuration sets how long add_moment_task jobs run on the
// server clock (default DefaultMomentTaskDuration); 0 finishes them at
// once.
func (s *Server) SetMomentTaskDuration(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.moments().duration = d
}

// AddMoment stores a moment as if it had been published, for tests of
// the read endpoints. An empty MomentID is generated, a zero CreateTime is
// now. A personal moment (CreateType 1) needs a Creator, who is its only
// sender and has published it; a corp moment's Senders have not published
// it yet (see PublishMoment). It returns the moment as stored.
func (s *Server) AddMoment(m Moment) (Moment, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ms := s.moments()
	if m.MomentID == "" {
		m.MomentID = s.ids.ID("mom", 40)
	}
	if _, dup := ms.moments[m.MomentID]; dup {
		return Moment{}, fmt.Errorf("wecomtest: moment %s exists", m.MomentID)
	}
	if m.CreateTime == 0 {
		m.CreateTime = s.clock.Now().Unix()
	}
	if m.CreateType == 1 {
		if _, err := s.st.user(m.Creator); err != nil {
			return Moment{}, fmt.Errorf("wecomtest: moment creator %q is not a member", m.Creator)
		}
		if len(m.Senders) == 0 {
			m.Senders = []string{m.Creator}
		}
	}
	for _, u := range m.Senders {
		if _, err := s.st.user(u); err != nil {
			return Moment{}, fmt.Errorf("wecomtest: moment sender %q is not a member", u)
		}
	}
	rec := s.newMoment(m)
	if m.CreateType == 1 {
		for _, t := range rec.tasks {
			s.publish(t)
		}
	}
	return rec.clone(), nil
}

// PublishMoment marks that userID has published their copy of a corp
// moment: the customers in its visible range can now see it
// (get_moment_send_result) and get_moment_task reports it published.
func (s *Server) PublishMoment(momentID, userID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settleMoments(s.clock.Now())
	m, ok := s.moments().moments[momentID]
	if !ok {
		return fmt.Errorf("wecomtest: no moment %s", momentID)
	}
	if m.Cancelled {
		return fmt.Errorf("wecomtest: moment %s was cancelled", momentID)
	}
	t := m.task(userID)
	if t == nil {
		return fmt.Errorf("wecomtest: %s is not a sender of moment %s", userID, momentID)
	}
	s.publish(t)
	return nil
}

// AddMomentComment adds a comment or like to a sender's published copy of
// a moment.
func (s *Server) AddMomentComment(momentID string, c MomentComment) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settleMoments(s.clock.Now())
	m, ok := s.moments().moments[momentID]
	if !ok {
		return fmt.Errorf("wecomtest: no moment %s", momentID)
	}
	t := m.task(c.Sender)
	if t == nil || !t.published {
		return fmt.Errorf("wecomtest: %s has not published moment %s", c.Sender, momentID)
	}
	if (c.ExternalUserID == "") == (c.UserID == "") {
		return fmt.Errorf("wecomtest: a moment comment is by a customer or by a member, not both")
	}
	if c.ExternalUserID != "" && !slices.Contains(t.sent, c.ExternalUserID) {
		return fmt.Errorf("wecomtest: customer %s cannot see %s's moment", c.ExternalUserID, c.Sender)
	}
	if c.UserID != "" {
		if _, err := s.st.user(c.UserID); err != nil {
			return fmt.Errorf("wecomtest: commenter %s is not a member", c.UserID)
		}
	}
	if c.CreateTime == 0 {
		c.CreateTime = s.clock.Now().Unix()
	}
	m.comments = append(m.comments, c)
	return nil
}

// Moments returns every moment, in the order created (add_moment_task
// jobs that have ended included).
func (s *Server) Moments() []Moment {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settleMoments(s.clock.Now())
	ms := s.moments()
	out := make([]Moment, 0, len(ms.order))
	for _, id := range ms.order {
		out = append(out, ms.moments[id].clone())
	}
	return out
}

func (m *momentRec) clone() Moment {
	c := m.Moment
	c.ImageMediaIDs = slices.Clone(m.ImageMediaIDs)
	c.Senders = slices.Clone(m.Senders)
	c.TagIDs = slices.Clone(m.TagIDs)
	if m.Location != nil {
		l := *m.Location
		c.Location = &l
	}
	return c
}

// newMoment stores m with a task per sender, each with the sender's
// customers (those with one of m.TagIDs when set) as its visible range.
func (s *Server) newMoment(m Moment) *momentRec {
	m.ImageMediaIDs = slices.Clone(m.ImageMediaIDs)
	m.Senders = slices.Clone(m.Senders)
	m.TagIDs = slices.Clone(m.TagIDs)
	rec := &momentRec{Moment: m}
	for _, u := range m.Senders {
		t := &momentTask{userID: u}
		for _, f := range s.st.byUser[u] {
			if len(m.TagIDs) == 0 || slices.ContainsFunc(f.TagIDs, func(id string) bool { return slices.Contains(m.TagIDs, id) }) {
				t.customers = append(t.customers, f.ExternalUserID)
			}
		}
		rec.tasks = append(rec.tasks, t)
	}
	ms := s.moments()
	ms.moments[m.MomentID] = rec
	ms.order = append(ms.order, m.MomentID)
	return rec
}

// publish makes a task published: the customers of its range who still
// follow the sender see the moment.
func (s *Server) publish(t *momentTask) {
	if t.published {
		return
	}
	t.published = true
	t.sent = nil
	for _, ext := range t.customers {
		if _, err := s.st.follow(t.userID, ext); err == nil {
			t.sent = append(t.sent, ext)
		}
	}
}

// settleMoments ends the jobs whose time has come.
func (s *Server) settleMoments(now time.Time) {
	ms := s.moments()
	var due []*momentJob
	for _, j := range ms.jobs {
		if !j.settled && !now.Before(j.doneAt) {
			due = append(due, j)
		}
	}
	// Settle in creation order so moment ids and order are reproducible.
	slices.SortFunc(due, func(a, b *momentJob) int { return a.created.Compare(b.created) })
	for _, j := range due {
		s.settleMomentJob(j)
	}
}

func (s *Server) settleMomentJob(j *momentJob) {
	j.settled = true
	var senders, tags []string
	invalid := momentSenders{UserList: []string{}, DepartmentList: []int{}}
	invalidTags := momentContacts{TagList: []string{}}
	usable := func(u *User) bool { return u.CustomerContact && !u.Resigned && !u.Inactive }
	add := func(id string) {
		if !slices.Contains(senders, id) {
			senders = append(senders, id)
		}
	}
	var sl *momentSenders
	var cl *momentContacts
	if vr := j.req.VisibleRange; vr != nil {
		sl, cl = vr.SenderList, vr.ExternalContactList
	}
	if sl != nil && (len(sl.UserList) > 0 || len(sl.DepartmentList) > 0) {
		for _, id := range sl.UserList {
			if u, ok := s.st.users[id]; ok && usable(u) {
				add(id)
			} else {
				invalid.UserList = append(invalid.UserList, id)
			}
		}
		for _, d := range sl.DepartmentList {
			known := false
			for _, id := range s.st.userOrder {
				u := s.st.users[id]
				if slices.Contains(u.DepartmentIDs, d) {
					known = true
					if usable(u) {
						add(id)
					}
				}
			}
			if !known {
				invalid.DepartmentList = append(invalid.DepartmentList, d)
			}
		}
	} else {
		for _, id := range s.st.userOrder {
			if usable(s.st.users[id]) {
				add(id)
			}
		}
	}
	if cl != nil {
		for _, id := range cl.TagList {
			if t, _, ok := s.st.tag(id); ok && t != nil {
				tags = append(tags, id)
			} else {
				invalidTags.TagList = append(invalidTags.TagList, id)
			}
		}
	}
	j.result = momentJobResult{ErrMsg: "ok", InvalidSenderList: &invalid, InvalidExternalContactList: &invalidTags}
	if len(senders) == 0 {
		j.result.ErrCode, j.result.ErrMsg = codeInvalidParameter, "no valid sender in visible_range"
		return
	}
	if cl != nil && len(cl.TagList) > 0 && len(tags) == 0 {
		j.result.ErrCode, j.result.ErrMsg = codeInvalidParameter, "no valid tag in external_contact_list"
		return
	}
	m := Moment{
		MomentID:    s.ids.ID("mom", 40),
		CreateTime:  j.created.Unix(),
		CreateType:  0,
		VisibleType: 1,
		Senders:     senders,
		TagIDs:      tags,
	}
	if len(tags) > 0 {
		m.VisibleType = 0
	}
	if j.req.Text != nil {
		m.Text = j.req.Text.Content
	}
	for _, a := range j.req.Attachments {
		switch {
		case a.Image != nil:
			m.ImageMediaIDs = append(m.ImageMediaIDs, a.Image.MediaID)
		case a.Video != nil:
			m.VideoMediaID = a.Video.MediaID
			m.VideoThumbMediaID = s.ids.ID("WWCISP_", 40)
		case a.Link != nil:
			m.LinkTitle, m.LinkURL, m.LinkMediaID = a.Link.Title, a.Link.URL, a.Link.MediaID
		}
	}
	s.newMoment(m)
	j.result.MomentID = m.MomentID
}

// addMomentTask serves POST /cgi-bin/externalcontact/add_moment_task.
func (s *Server) addMomentTask(c *call) (any, error) {
	var req addMomentTaskReq
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	hasText := req.Text != nil && req.Text.Content != ""
	if !hasText && len(req.Attachments) == 0 {
		return nil, errorf(codeInvalidParameter, "invalid parameter: text and attachments are both empty")
	}
	if req.Text != nil && utf8.RuneCountInString(req.Text.Content) > 2000 {
		return nil, errorf(codeInvalidParameter, "invalid text size")
	}
	kind := ""
	for _, a := range req.Attachments {
		if kind != "" && a.MsgType != kind {
			return nil, errorf(codeInvalidParameter, "invalid attachments msgtype")
		}
		kind = a.MsgType
		var mediaID, want string
		switch {
		case a.MsgType == "image" && a.Image != nil:
			mediaID, want = a.Image.MediaID, "image"
		case a.MsgType == "video" && a.Video != nil:
			mediaID, want = a.Video.MediaID, "video"
		case a.MsgType == "link" && a.Link != nil:
			if a.Link.URL == "" {
				return nil, errorf(codeInvalidParameter, "invalid parameter: link url missing")
			}
			mediaID, want = a.Link.MediaID, "image"
			if mediaID == "" {
				continue
			}
		default:
			return nil, errorf(codeInvalidParameter, "invalid attachments msgtype")
		}
		// An upload_attachment media id lasts 3 days.
		m, ok := s.st.media[mediaID]
		if !ok || !s.mediaValid(mediaID) || m.Type != want || m.AttachmentType != 1 {
			return nil, errorf(codeMomentInvalidMediaID, "invalid media_id %s", mediaID)
		}
	}
	n := len(req.Attachments)
	if (kind == "image" && n > 9) || ((kind == "video" || kind == "link") && n > 1) {
		return nil, errorf(codeInvalidParameter, "invalid attachments size")
	}
	ms := s.moments()
	j := &momentJob{id: s.ids.ID("", 48), created: c.Now, doneAt: c.Now.Add(ms.duration), req: req}
	ms.jobs[j.id] = j
	return struct {
		JobID string `json:"jobid"`
	}{j.id}, nil
}

// getMomentTaskResult serves GET /cgi-bin/externalcontact/get_moment_task_result.
func (s *Server) getMomentTaskResult(c *call) (any, error) {
	id := c.Query.Get("jobid")
	if err := requireField("jobid", id); err != nil {
		return nil, err
	}
	s.settleMoments(c.Now)
	j, ok := s.moments().jobs[id]
	if !ok {
		return nil, errorf(codeInvalidParameter, "invalid jobid")
	}
	type out struct {
		Status int              `json:"status"`
		Type   string           `json:"type"`
		Result *momentJobResult `json:"result,omitempty"`
	}
	switch {
	case j.settled:
		r := j.result
		return out{Status: 3, Type: "add_moment_task", Result: &r}, nil
	case c.Now.Before(j.created.Add(j.doneAt.Sub(j.created) / 2)):
		return out{Status: 1, Type: "add_moment_task"}, nil
	default:
		return out{Status: 2, Type: "add_moment_task"}, nil
	}
}

// momentByID finds a moment named in a request.
func (s *Server) momentByID(id string) (*momentRec, error) {
	if err := requireField("moment_id", id); err != nil {
		return nil, err
	}
	m, ok := s.moments().moments[id]
	if !ok {
		return nil, errorf(codeInvalidParameter, "invalid moment_id")
	}
	return m, nil
}

// cancelMomentTask serves POST /cgi-bin/externalcontact/cancel_moment_task.
func (s *Server) cancelMomentTask(c *call) (any, error) {
	var req struct {
		MomentID string `json:"moment_id"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	s.settleMoments(c.Now)
	m, err := s.momentByID(req.MomentID)
	if err != nil {
		return nil, err
	}
	if m.CreateType != 0 {
		return nil, errorf(codeInvalidParameter, "invalid moment_id: only corp moments can be cancelled")
	}
	m.Cancelled = true
	return nil, nil
}

type momentJSON struct {
	MomentID    string              `json:"moment_id"`
	Creator     string              `json:"creator"`
	CreateTime  int64               `json:"create_time"`
	CreateType  int                 `json:"create_type"`
	VisibleType int                 `json:"visible_type"`
	Text        *momentTextJSON     `json:"text,omitempty"`
	Image       []momentImageJSON   `json:"image,omitempty"`
	Video       *momentVideoJSON    `json:"video,omitempty"`
	Link        *momentLinkJSON     `json:"link,omitempty"`
	Location    *momentLocationJSON `json:"location,omitempty"`
}

type momentTextJSON struct {
	Content string `json:"content"`
}
type momentImageJSON struct {
	MediaID string `json:"media_id"`
}
type momentVideoJSON struct {
	MediaID      string `json:"media_id"`
	ThumbMediaID string `json:"thumb_media_id"`
}
type momentLinkJSON struct {
	Title string `json:"title"`
	URL   string `json:"url"`
}
type momentLocationJSON struct {
	Latitude  string `json:"latitude"`
	Longitude string `json:"longitude"`
	Name      string `json:"name"`
}

func (m *momentRec) json() momentJSON {
	out := momentJSON{
		MomentID: m.MomentID, Creator: m.Creator, CreateTime: m.CreateTime,
		CreateType: m.CreateType, VisibleType: m.VisibleType,
	}
	if m.Text != "" {
		out.Text = &momentTextJSON{m.Text}
	}
	for _, id := range m.ImageMediaIDs {
		out.Image = append(out.Image, momentImageJSON{id})
	}
	if m.VideoMediaID != "" {
		out.Video = &momentVideoJSON{m.VideoMediaID, m.VideoThumbMediaID}
	}
	if m.LinkURL != "" {
		out.Link = &momentLinkJSON{m.LinkTitle, m.LinkURL}
	}
	if m.Location != nil {
		out.Location = &momentLocationJSON{m.Location.Latitude, m.Location.Longitude, m.Location.Name}
	}
	return out
}

// getMomentList serves POST /cgi-bin/externalcontact/get_moment_list.
func (s *Server) getMomentList(c *call) (any, error) {
	var req struct {
		StartTime  int64  `json:"start_time"`
		EndTime    int64  `json:"end_time"`
		Creator    string `json:"creator"`
		FilterType *int   `json:"filter_type"`
		Cursor     string `json:"cursor"`
		Limit      int    `json:"limit"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	switch {
	case req.StartTime <= 0 || req.EndTime <= 0:
		return nil, errorf(codeInvalidParameter, "invalid parameter: start_time and end_time are required")
	case req.EndTime < req.StartTime:
		return nil, errorf(codeInvalidParameter, "invalid time range: end_time before start_time")
	case req.EndTime-req.StartTime > maxMomentSpan:
		return nil, errorf(codeInvalidParameter, "invalid time range: more than 30 days")
	}
	filter := 2
	if req.FilterType != nil {
		filter = *req.FilterType
		if filter < 0 || filter > 2 {
			return nil, errorf(codeInvalidParameter, "invalid filter_type %d", filter)
		}
	}
	if req.Creator != "" {
		if _, err := s.st.user(req.Creator); err != nil {
			return nil, err
		}
	}
	limit, err := checkLimit(req.Limit, 20, 20)
	if err != nil {
		return nil, err
	}
	s.settleMoments(c.Now)
	ms := s.moments()
	var list []momentJSON
	for _, id := range ms.order {
		m := ms.moments[id]
		if m.CreateTime < req.StartTime || m.CreateTime > req.EndTime {
			continue
		}
		if filter != 2 && m.CreateType != filter {
			continue
		}
		if req.Creator != "" && m.Creator != req.Creator {
			continue
		}
		list = append(list, m.json())
	}
	items, next, err := page("moment_list", list, req.Cursor, limit)
	if err != nil {
		return nil, err
	}
	return struct {
		NextCursor string       `json:"next_cursor"`
		MomentList []momentJSON `json:"moment_list"`
	}{next, momentNonNil(items)}, nil
}

func momentNonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// getMomentTask serves POST /cgi-bin/externalcontact/get_moment_task.
func (s *Server) getMomentTask(c *call) (any, error) {
	var req struct {
		MomentID string `json:"moment_id"`
		Cursor   string `json:"cursor"`
		Limit    int    `json:"limit"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	s.settleMoments(c.Now)
	m, err := s.momentByID(req.MomentID)
	if err != nil {
		return nil, err
	}
	limit, err := checkLimit(req.Limit, 500, 1000)
	if err != nil {
		return nil, err
	}
	type task struct {
		UserID        string `json:"userid"`
		PublishStatus int    `json:"publish_status"`
	}
	var tasks []task
	for _, t := range m.tasks {
		st := 0
		if t.published {
			st = 1
		}
		tasks = append(tasks, task{t.userID, st})
	}
	items, next, err := page("moment_task/"+m.MomentID, tasks, req.Cursor, limit)
	if err != nil {
		return nil, err
	}
	return struct {
		NextCursor string `json:"next_cursor"`
		TaskList   []task `json:"task_list"`
	}{next, momentNonNil(items)}, nil
}

type momentAudienceReq struct {
	MomentID string `json:"moment_id"`
	UserID   string `json:"userid"`
	Cursor   string `json:"cursor"`
	Limit    int    `json:"limit"`
}

// audience decodes a moment+member request and returns the member's task
// (nil when they are not a sender of the moment).
func (s *Server) audience(c *call, req *momentAudienceReq) (*momentRec, *momentTask, error) {
	if err := c.decode(req); err != nil {
		return nil, nil, err
	}
	s.settleMoments(c.Now)
	m, err := s.momentByID(req.MomentID)
	if err != nil {
		return nil, nil, err
	}
	if err := requireField("userid", req.UserID); err != nil {
		return nil, nil, err
	}
	if _, err := s.st.user(req.UserID); err != nil {
		return nil, nil, err
	}
	return m, m.task(req.UserID), nil
}

// getMomentCustomerList serves POST /cgi-bin/externalcontact/get_moment_customer_list.
func (s *Server) getMomentCustomerList(c *call) (any, error) {
	var req momentAudienceReq
	m, t, err := s.audience(c, &req)
	if err != nil {
		return nil, err
	}
	limit, err := checkLimit(req.Limit, 500, 1000)
	if err != nil {
		return nil, err
	}
	type customer struct {
		UserID         string `json:"userid"`
		ExternalUserID string `json:"external_userid"`
	}
	var list []customer
	if t != nil {
		for _, ext := range t.customers {
			list = append(list, customer{t.userID, ext})
		}
	}
	items, next, err := page("moment_customer/"+m.MomentID+"/"+req.UserID, list, req.Cursor, limit)
	if err != nil {
		return nil, err
	}
	return struct {
		NextCursor   string     `json:"next_cursor"`
		CustomerList []customer `json:"customer_list"`
	}{next, momentNonNil(items)}, nil
}

// getMomentSendResult serves POST /cgi-bin/externalcontact/get_moment_send_result.
func (s *Server) getMomentSendResult(c *call) (any, error) {
	var req momentAudienceReq
	m, t, err := s.audience(c, &req)
	if err != nil {
		return nil, err
	}
	limit, err := checkLimit(req.Limit, 3000, 5000)
	if err != nil {
		return nil, err
	}
	type customer struct {
		ExternalUserID string `json:"external_userid"`
	}
	var list []customer
	if t != nil {
		for _, ext := range t.sent {
			list = append(list, customer{ext})
		}
	}
	items, next, err := page("moment_send/"+m.MomentID+"/"+req.UserID, list, req.Cursor, limit)
	if err != nil {
		return nil, err
	}
	return struct {
		NextCursor   string     `json:"next_cursor"`
		CustomerList []customer `json:"customer_list"`
	}{next, momentNonNil(items)}, nil
}

// getMomentComments serves POST /cgi-bin/externalcontact/get_moment_comments.
func (s *Server) getMomentComments(c *call) (any, error) {
	var req momentAudienceReq
	m, _, err := s.audience(c, &req)
	if err != nil {
		return nil, err
	}
	type entry struct {
		ExternalUserID string `json:"external_userid,omitempty"`
		UserID         string `json:"userid,omitempty"`
		CreateTime     int64  `json:"create_time"`
	}
	comments, likes := []entry{}, []entry{}
	for _, x := range m.comments {
		if x.Sender != req.UserID {
			continue
		}
		e := entry{x.ExternalUserID, x.UserID, x.CreateTime}
		if x.Like {
			likes = append(likes, e)
		} else {
			comments = append(comments, e)
		}
	}
	return struct {
		CommentList []entry `json:"comment_list"`
		LikeList    []entry `json:"like_list"`
	}{comments, likes}, nil
}
