package wecomtest

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// Demo describes generated demo data: realistic Chinese names, ids shaped
// like WeCom's, tags, groups and a resigned member with customers waiting
// for a transfer. The same Demo gives the same data every time.
type Demo struct {
	// Seed makes the data; 0 uses the server's seed.
	Seed uint64
	// Users is the number of members with the customer-contact feature
	// (default 8).
	Users int
	// Customers is the number of customers (default 60).
	Customers int
	// Relations is the number of follow relations; every customer has at
	// least one, so it is at least Customers (default Customers*5/4).
	Relations int
	// TagGroups is the number of corp tag groups, up to 6 (default 4).
	TagGroups int
	// GroupChats is the number of customer groups (default 6).
	GroupChats int
	// ResignedUsers is the number of members who have left and whose
	// customers and groups await a resigned transfer (default 1).
	ResignedUsers int
}

func (d Demo) withDefaults() Demo {
	if d.Users <= 0 {
		d.Users = 8
	}
	if d.Customers <= 0 {
		d.Customers = 60
	}
	if d.Relations < d.Customers {
		d.Relations = d.Customers * 5 / 4
	}
	if d.TagGroups <= 0 {
		d.TagGroups = 4
	}
	d.TagGroups = min(d.TagGroups, len(demoTagGroups))
	if d.GroupChats < 0 {
		d.GroupChats = 0
	} else if d.GroupChats == 0 {
		d.GroupChats = 6
	}
	if d.ResignedUsers < 0 {
		d.ResignedUsers = 0
	} else if d.ResignedUsers == 0 {
		d.ResignedUsers = 1
	}
	return d
}

type pinyinChar struct{ han, pinyin string }

var surnames = []pinyinChar{
	{"王", "wang"}, {"李", "li"}, {"张", "zhang"}, {"刘", "liu"}, {"陈", "chen"}, {"杨", "yang"}, {"黄", "huang"},
	{"赵", "zhao"}, {"吴", "wu"}, {"周", "zhou"}, {"徐", "xu"}, {"孙", "sun"}, {"马", "ma"}, {"朱", "zhu"},
	{"胡", "hu"}, {"郭", "guo"}, {"何", "he"}, {"高", "gao"}, {"林", "lin"}, {"罗", "luo"}, {"郑", "zheng"},
	{"梁", "liang"}, {"谢", "xie"}, {"宋", "song"}, {"唐", "tang"}, {"许", "xu"}, {"韩", "han"}, {"冯", "feng"},
	{"邓", "deng"}, {"曹", "cao"}, {"彭", "peng"}, {"曾", "zeng"}, {"肖", "xiao"}, {"田", "tian"}, {"董", "dong"},
	{"潘", "pan"}, {"袁", "yuan"}, {"蔡", "cai"}, {"蒋", "jiang"}, {"余", "yu"}, {"杜", "du"}, {"叶", "ye"},
}

var givenChars = []pinyinChar{
	{"伟", "wei"}, {"芳", "fang"}, {"娜", "na"}, {"敏", "min"}, {"静", "jing"}, {"丽", "li"}, {"强", "qiang"},
	{"磊", "lei"}, {"军", "jun"}, {"洋", "yang"}, {"勇", "yong"}, {"艳", "yan"}, {"杰", "jie"}, {"娟", "juan"},
	{"涛", "tao"}, {"明", "ming"}, {"超", "chao"}, {"秀", "xiu"}, {"霞", "xia"}, {"平", "ping"}, {"刚", "gang"},
	{"桂", "gui"}, {"婷", "ting"}, {"雪", "xue"}, {"慧", "hui"}, {"欣", "xin"}, {"怡", "yi"}, {"佳", "jia"},
	{"晨", "chen"}, {"宇", "yu"}, {"浩", "hao"}, {"然", "ran"}, {"梓", "zi"}, {"涵", "han"}, {"子", "zi"},
	{"轩", "xuan"}, {"思", "si"}, {"诗", "shi"}, {"嘉", "jia"}, {"琪", "qi"}, {"博", "bo"}, {"文", "wen"},
}

var nicknames = []string{
	"小鱼儿", "Amy", "阳光明媚", "Coco", "向日葵", "Lemon", "安静的猫", "Jason", "一叶知秋", "Sunny",
	"木子", "Vivian", "天天向上", "Kevin", "糖果🍬", "Grace", "半夏", "Leo", "清风徐来", "Momo",
}

var positions = []string{"采购经理", "店长", "运营总监", "产品经理", "行政主管", "市场专员", "财务", "设计师", ""}

var companies = []struct{ short, full string }{
	{"腾讯", "腾讯科技（深圳）有限公司"}, {"美的", "美的集团股份有限公司"}, {"华为", "华为技术有限公司"},
	{"京东", "北京京东世纪贸易有限公司"}, {"小米", "小米科技有限责任公司"}, {"网易", "网易（杭州）网络有限公司"},
}

var demoTagGroups = []struct {
	name string
	tags []string
}{
	{"客户等级", []string{"VIP", "高意向", "普通", "待跟进"}},
	{"来源渠道", []string{"门店扫码", "线上活动", "老客转介绍", "直播间", "企业官网"}},
	{"兴趣品类", []string{"护肤", "彩妆", "母婴", "家居", "运动户外", "数码"}},
	{"会员状态", []string{"新会员", "活跃会员", "沉睡会员"}},
	{"所在城市", []string{"上海", "北京", "广州", "深圳", "杭州", "成都"}},
	{"购买频次", []string{"首购", "复购2-3次", "复购4次以上"}},
}

var groupNames = []string{
	"门店福利群", "VIP客户尊享群", "新品体验官", "宝妈交流群", "周末特惠群", "会员积分兑换群",
	"护肤心得分享", "运动打卡群", "家居好物群", "直播粉丝群",
}

var descriptions = []string{"", "", "对接采购事务", "老客户，注意维护", "关注新品", "价格敏感", "喜欢线下活动"}

// addWays is a realistic mix of add_way values, QR codes first.
var addWays = []int{1, 1, 1, 1, 1, 2, 2, 3, 3, 4, 5, 6, 10, 13, 16, 201, 202}

// Seed adds generated demo data (see Demo) to the server.
func (s *Server) Seed(d Demo) error {
	d = d.withDefaults()
	s.mu.Lock()
	defer s.mu.Unlock()
	seed := d.Seed
	if seed == 0 {
		seed = s.ids.rnd.Uint64()
	}
	r := rand.New(rand.NewPCG(seed, 0xdeb0))
	g := &ids{rnd: r}
	now := s.clock.Now().Unix()

	// Members: each a Chinese name with a pinyin userid.
	taken := map[string]int{}
	var active, resigned []string
	for i := 0; i < d.Users+d.ResignedUsers; i++ {
		sn := surnames[r.IntN(len(surnames))]
		given := []pinyinChar{givenChars[r.IntN(len(givenChars))]}
		if r.IntN(3) > 0 {
			given = append(given, givenChars[r.IntN(len(givenChars))])
		}
		name, id := sn.han, sn.pinyin
		for _, c := range given {
			name += c.han
			id += c.pinyin
		}
		if n := taken[id]; n > 0 {
			taken[id]++
			id = fmt.Sprintf("%s%02d", id, n)
		} else {
			taken[id] = 1
		}
		for _, exists := s.st.users[id]; exists; _, exists = s.st.users[id] {
			id += "x"
		}
		u := User{UserID: id, Name: name, DepartmentIDs: []int{1 + r.IntN(4)}, CustomerContact: true}
		if i >= d.Users {
			u.Resigned = true
			u.DimissionTime = now - int64(86400*(1+r.IntN(20)))
			resigned = append(resigned, id)
		} else {
			active = append(active, id)
		}
		if err := s.st.addUser(u); err != nil {
			return err
		}
	}
	staff := append(append([]string(nil), active...), resigned...)
	s.seedDepartments() // the members are in departments 1..4

	// Tags.
	var tagIDs []string
	for i := 0; i < d.TagGroups; i++ {
		tg := demoTagGroups[i]
		grp := &TagGroup{GroupID: g.tagID(), GroupName: tg.name, CreateTime: now - 86400*90, Order: d.TagGroups - i}
		for j, name := range tg.tags {
			t := Tag{ID: g.tagID(), Name: name, CreateTime: grp.CreateTime, Order: len(tg.tags) - j}
			grp.Tags = append(grp.Tags, t)
			tagIDs = append(tagIDs, t.ID)
		}
		s.st.addTagGroup(grp)
	}

	// Customers, each followed by one member; then extra relations.
	newFollow := func(userID, extID string) Follow {
		f := Follow{
			UserID:         userID,
			ExternalUserID: extID,
			CreateTime:     now - int64(r.IntN(365*86400)),
			Description:    descriptions[r.IntN(len(descriptions))],
			AddWay:         addWays[r.IntN(len(addWays))],
			OperUserID:     userID,
		}
		if f.AddWay == 1 {
			f.State = fmt.Sprintf("store_%03d", 1+r.IntN(30))
		}
		if f.AddWay == 10 {
			f.WechatChannelsNickname, f.WechatChannelsSource = "视频号小店", 1+r.IntN(2)
		}
		for k := r.IntN(4); k > 0 && len(tagIDs) > 0; k-- {
			id := tagIDs[r.IntN(len(tagIDs))]
			if !strings.Contains(strings.Join(f.TagIDs, ","), id) {
				f.TagIDs = append(f.TagIDs, id)
			}
		}
		if r.IntN(3) == 0 {
			f.RemarkMobiles = []string{fmt.Sprintf("1%d%09d", 3+r.IntN(7), r.IntN(1_000_000_000))}
		}
		return f
	}
	var customers []string
	for i := 0; i < d.Customers; i++ {
		c := Customer{ExternalUserID: g.externalUserID(), Type: 1, Gender: r.IntN(3), UnionID: g.unionID()}
		if r.IntN(2) == 0 {
			c.Name = nicknames[r.IntN(len(nicknames))]
		} else {
			sn := surnames[r.IntN(len(surnames))]
			c.Name = sn.han + givenChars[r.IntN(len(givenChars))].han
		}
		c.Avatar = "http://wx.qlogo.cn/mmhead/" + g.random(40) + "/0"
		if r.IntN(5) == 0 {
			co := companies[r.IntN(len(companies))]
			c.Type, c.CorpName, c.CorpFullName = 2, co.short, co.full
			c.Position = positions[r.IntN(len(positions))]
			c.UnionID = ""
		}
		if err := s.st.addCustomer(c); err != nil {
			return err
		}
		customers = append(customers, c.ExternalUserID)
		f := newFollow(staff[i%len(staff)], c.ExternalUserID)
		if f.Remark == "" && r.IntN(2) == 0 {
			f.Remark = c.Name + "（" + []string{"老客", "门店", "活动", "转介绍"}[r.IntN(4)] + "）"
		}
		if err := s.st.addFollow(f); err != nil {
			return err
		}
	}
	extra := d.Relations - d.Customers
	for tries, maxTries := 0, extra*50; extra > 0 && tries < maxTries && len(active) > 1; tries++ {
		ext := customers[r.IntN(len(customers))]
		user := active[r.IntN(len(active))]
		if _, err := s.st.follow(user, ext); err == nil {
			continue
		}
		if err := s.st.addFollow(newFollow(user, ext)); err != nil {
			return err
		}
		extra--
	}

	// Customer groups, owned by members, with members and customers.
	for i := 0; i < d.GroupChats; i++ {
		owner := staff[i%len(staff)]
		chat := GroupChat{
			ChatID:        g.chatID(),
			Name:          fmt.Sprintf("%s%d号", groupNames[i%len(groupNames)], 1+i/len(groupNames)),
			Owner:         owner,
			CreateTime:    now - int64(r.IntN(180*86400)),
			Notice:        "欢迎加入！群内定期发布会员专属福利。",
			Admins:        []string{},
			MemberVersion: fmt.Sprintf("%016x%016x", r.Uint64(), r.Uint64()),
		}
		if u := s.st.users[owner]; u.Resigned {
			chat.Status = 1
		}
		chat.Members = append(chat.Members, GroupMember{UserID: owner, Type: 1, JoinTime: chat.CreateTime, JoinScene: 1, Name: s.st.users[owner].Name})
		for k := 0; k < 3+r.IntN(12) && k < len(customers); k++ {
			ext := customers[r.IntN(len(customers))]
			dup := false
			for _, m := range chat.Members {
				dup = dup || m.UserID == ext
			}
			if dup {
				continue
			}
			c := s.st.customers[ext]
			chat.Members = append(chat.Members, GroupMember{
				UserID: ext, Type: 2, UnionID: c.UnionID, JoinTime: chat.CreateTime + int64(r.IntN(86400*30)),
				JoinScene: 1 + r.IntN(3), Invitor: owner, Name: c.Name,
			})
		}
		if err := s.st.addChat(chat); err != nil {
			return err
		}
	}
	return nil
}
