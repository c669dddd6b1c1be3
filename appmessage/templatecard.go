package appmessage

import (
	"strconv"

	"github.com/wecomkit/wecom"
)

// CardType is a template card's card_type.
type CardType string

// The template card types.
const (
	// CardTextNotice is a text notice: a title, key data, lines and a
	// link (CardAction, required).
	CardTextNotice CardType = "text_notice"
	// CardNewsNotice is a news notice: a title, an image or image-text
	// area, lines and a link (CardAction, required).
	CardNewsNotice CardType = "news_notice"
	// CardButtonInteraction asks the member to press one of ButtonList
	// (and optionally pick from ButtonSelection).
	CardButtonInteraction CardType = "button_interaction"
	// CardVoteInteraction asks the member to tick options of Checkbox and
	// press SubmitButton.
	CardVoteInteraction CardType = "vote_interaction"
	// CardMultipleInteraction asks the member to choose in each of
	// SelectList and press SubmitButton.
	CardMultipleInteraction CardType = "multiple_interaction"
)

// String implements fmt.Stringer.
func (t CardType) String() string { return string(t) }

// Interactive reports whether the card takes an answer: its send returns
// a response code (SendResult.ResponseCode) for UpdateTemplateCard, and
// it needs a TaskID.
func (t CardType) Interactive() bool {
	return t == CardButtonInteraction || t == CardVoteInteraction || t == CardMultipleInteraction
}

// TemplateCard is a template card (模板卡片). CardType says which of the
// type-specific fields apply: EmphasisContent for text notices;
// ImageTextArea, CardImage and VerticalContentList for news notices;
// ButtonSelection and ButtonList for button interactions; Checkbox for
// votes; SelectList for multiple choices; SubmitButton and ReplaceText for
// votes and multiple choices. The rest is common.
//
// WeCom suggests lengths in characters for most texts (titles about 26,
// descriptions about 30) and cuts what is longer.
type TemplateCard struct {
	CardType CardType `json:"card_type"`
	// Source is the line above the title: an icon and a text.
	Source *CardSource `json:"source,omitempty"`
	// ActionMenu is the "…" menu at the top right; it needs TaskID.
	ActionMenu *ActionMenu `json:"action_menu,omitempty"`
	// TaskID identifies the card in the template_card_event callback:
	// unique per app, at most 128 bytes of letters, digits and _-@.
	// Required for interactive cards and with ActionMenu.
	TaskID string `json:"task_id,omitempty"`
	// MainTitle is the title and its description.
	MainTitle *MainTitle `json:"main_title,omitempty"`
	// QuoteArea is a quoted block under the title.
	QuoteArea *QuoteArea `json:"quote_area,omitempty"`
	// EmphasisContent is the key figure of a text notice.
	EmphasisContent *EmphasisContent `json:"emphasis_content,omitempty"`
	// SubTitleText is the secondary text (about 112 characters).
	SubTitleText string `json:"sub_title_text,omitempty"`
	// HorizontalContentList holds up to 6 "key: value" lines.
	HorizontalContentList []HorizontalContent `json:"horizontal_content_list,omitempty"`
	// JumpList holds up to 3 links under the content.
	JumpList []Jump `json:"jump_list,omitempty"`
	// CardAction is what tapping the card opens; required for text and
	// news notices.
	CardAction *CardAction `json:"card_action,omitempty"`

	// ImageTextArea is the image with text of a news notice.
	ImageTextArea *ImageTextArea `json:"image_text_area,omitempty"`
	// CardImage is the large image of a news notice.
	CardImage *CardImage `json:"card_image,omitempty"`
	// VerticalContentList holds up to 4 title-description pairs of a
	// news notice.
	VerticalContentList []VerticalContent `json:"vertical_content_list,omitempty"`

	// ButtonSelection is the drop-down above the buttons of a button
	// interaction.
	ButtonSelection *Selection `json:"button_selection,omitempty"`
	// ButtonList holds 1 to 6 buttons of a button interaction.
	ButtonList []Button `json:"button_list,omitempty"`

	// Checkbox holds the options of a vote.
	Checkbox *Checkbox `json:"checkbox,omitempty"`
	// SelectList holds 1 to 3 drop-downs of a multiple choice.
	SelectList []Selection `json:"select_list,omitempty"`
	// SubmitButton submits a vote or multiple choice.
	SubmitButton *SubmitButton `json:"submit_button,omitempty"`
	// ReplaceText is what the card shows once answered (button,
	// vote and multiple interactions).
	ReplaceText string `json:"replace_text,omitempty"`
}

// CardSource is the line above a card's title.
type CardSource struct {
	IconURL   string      `json:"icon_url,omitempty"`
	Desc      string      `json:"desc,omitempty"`
	DescColor SourceColor `json:"desc_color,omitempty"`
}

// SourceColor is the colour of CardSource.Desc.
type SourceColor int

// The values of SourceColor.
const (
	SourceGrey  SourceColor = 0
	SourceBlack SourceColor = 1
	SourceRed   SourceColor = 2
	SourceGreen SourceColor = 3
)

// String implements fmt.Stringer.
func (c SourceColor) String() string {
	switch c {
	case SourceGrey:
		return "grey"
	case SourceBlack:
		return "black"
	case SourceRed:
		return "red"
	case SourceGreen:
		return "green"
	}
	return "SourceColor(" + strconv.Itoa(int(c)) + ")"
}

// ActionMenu is the menu at the top right of a card: 1 to 3 actions whose
// Key comes back in the template_card_menu_event callback.
type ActionMenu struct {
	Desc       string   `json:"desc"`
	ActionList []Action `json:"action_list"`
}

// Action is one entry of an ActionMenu.
type Action struct {
	Text string `json:"text"`
	Key  string `json:"key"`
}

// MainTitle is a card's title.
type MainTitle struct {
	Title string `json:"title,omitempty"`
	Desc  string `json:"desc,omitempty"`
}

// LinkType says what a link of a card opens.
type LinkType int

// The values of LinkType.
const (
	LinkNone        LinkType = 0 // not a link
	LinkURL         LinkType = 1 // URL
	LinkMiniProgram LinkType = 2 // the mini program AppID at PagePath
)

// String implements fmt.Stringer.
func (t LinkType) String() string {
	switch t {
	case LinkNone:
		return "none"
	case LinkURL:
		return "url"
	case LinkMiniProgram:
		return "miniprogram"
	}
	return "LinkType(" + strconv.Itoa(int(t)) + ")"
}

// QuoteArea is a quoted block, optionally a link.
type QuoteArea struct {
	Type      LinkType `json:"type,omitempty"`
	URL       string   `json:"url,omitempty"`
	AppID     string   `json:"appid,omitempty"`
	PagePath  string   `json:"pagepath,omitempty"`
	Title     string   `json:"title,omitempty"`
	QuoteText string   `json:"quote_text,omitempty"`
}

// EmphasisContent is the key figure of a text notice.
type EmphasisContent struct {
	Title string `json:"title,omitempty"`
	Desc  string `json:"desc,omitempty"`
}

// ContentType says what a HorizontalContent line holds.
type ContentType int

// The values of ContentType.
const (
	ContentText   ContentType = 0 // plain text
	ContentURL    ContentType = 1 // a link to URL
	ContentFile   ContentType = 2 // an attachment (MediaID; Value is the file name)
	ContentMember ContentType = 3 // a member (UserID), shown by name
)

// String implements fmt.Stringer.
func (t ContentType) String() string {
	switch t {
	case ContentText:
		return "text"
	case ContentURL:
		return "url"
	case ContentFile:
		return "file"
	case ContentMember:
		return "member"
	}
	return "ContentType(" + strconv.Itoa(int(t)) + ")"
}

// HorizontalContent is one "key: value" line of a card.
type HorizontalContent struct {
	Type    ContentType `json:"type,omitempty"`
	KeyName string      `json:"keyname"`
	Value   string      `json:"value,omitempty"`
	URL     string      `json:"url,omitempty"`
	MediaID string      `json:"media_id,omitempty"`
	UserID  string      `json:"userid,omitempty"`
}

// Jump is one link under a card's content.
type Jump struct {
	Type     LinkType `json:"type,omitempty"`
	Title    string   `json:"title"`
	URL      string   `json:"url,omitempty"`
	AppID    string   `json:"appid,omitempty"`
	PagePath string   `json:"pagepath,omitempty"`
}

// CardAction is what tapping the card opens.
type CardAction struct {
	Type     LinkType `json:"type"`
	URL      string   `json:"url,omitempty"`
	AppID    string   `json:"appid,omitempty"`
	PagePath string   `json:"pagepath,omitempty"`
}

// ImageTextArea is the image with a title and description of a news
// notice, optionally a link.
type ImageTextArea struct {
	Type     LinkType `json:"type,omitempty"`
	URL      string   `json:"url,omitempty"`
	AppID    string   `json:"appid,omitempty"`
	PagePath string   `json:"pagepath,omitempty"`
	Title    string   `json:"title,omitempty"`
	Desc     string   `json:"desc,omitempty"`
	ImageURL string   `json:"image_url"`
}

// CardImage is the large image of a news notice. AspectRatio is width
// over height, 1.3 to 2.25 (default 1.3).
type CardImage struct {
	URL         string  `json:"url"`
	AspectRatio float64 `json:"aspect_ratio,omitempty"`
}

// VerticalContent is a title and description of a news notice.
type VerticalContent struct {
	Title string `json:"title"`
	Desc  string `json:"desc,omitempty"`
}

// Selection is a drop-down: ButtonSelection of a button interaction, or
// one of SelectList of a multiple choice. QuestionKey comes back in the
// callback with the chosen option's ID.
type Selection struct {
	QuestionKey string         `json:"question_key"`
	Title       string         `json:"title,omitempty"`
	OptionList  []SelectOption `json:"option_list"`
	// SelectedID is the option chosen by default.
	SelectedID string `json:"selected_id,omitempty"`
	// Disable greys the drop-down out (update_template_card only).
	Disable bool `json:"disable,omitempty"`
}

// SelectOption is one option of a Selection.
type SelectOption struct {
	ID   string `json:"id"`
	Text string `json:"text"`
}

// ButtonType says what a button does.
type ButtonType int

// The values of ButtonType.
const (
	ButtonCallback ButtonType = 0 // sends Key in the template_card_event callback
	ButtonURL      ButtonType = 1 // opens URL
)

// String implements fmt.Stringer.
func (t ButtonType) String() string {
	switch t {
	case ButtonCallback:
		return "callback"
	case ButtonURL:
		return "url"
	}
	return "ButtonType(" + strconv.Itoa(int(t)) + ")"
}

// Button is one button of a button interaction. Style is 1 to 4 (blue,
// grey, red, white-ish); 0 means WeCom's default.
type Button struct {
	Type  ButtonType `json:"type,omitempty"`
	Text  string     `json:"text"`
	Style int        `json:"style,omitempty"`
	Key   string     `json:"key,omitempty"`
	URL   string     `json:"url,omitempty"`
}

// CheckboxMode says how many options of a vote can be ticked.
type CheckboxMode int

// The values of CheckboxMode.
const (
	CheckboxSingle   CheckboxMode = 0
	CheckboxMultiple CheckboxMode = 1
)

// String implements fmt.Stringer.
func (m CheckboxMode) String() string {
	switch m {
	case CheckboxSingle:
		return "single"
	case CheckboxMultiple:
		return "multiple"
	}
	return "CheckboxMode(" + strconv.Itoa(int(m)) + ")"
}

// Checkbox is the options of a vote (1 to 20).
type Checkbox struct {
	QuestionKey string           `json:"question_key"`
	OptionList  []CheckboxOption `json:"option_list"`
	Mode        CheckboxMode     `json:"mode,omitempty"`
	// Disable greys the options out (update_template_card only).
	Disable bool `json:"disable,omitempty"`
}

// CheckboxOption is one option of a vote.
type CheckboxOption struct {
	ID        string `json:"id"`
	Text      string `json:"text"`
	IsChecked bool   `json:"is_checked,omitempty"`
}

// SubmitButton submits a vote or a multiple choice; Key comes back in the
// callback.
type SubmitButton struct {
	Text string `json:"text"`
	Key  string `json:"key"`
}

func (c *TemplateCard) checkType(op string) error {
	switch c.CardType {
	case CardTextNotice, CardNewsNotice, CardButtonInteraction, CardVoteInteraction, CardMultipleInteraction:
		return nil
	case "":
		return wecom.InvalidArgument("%s: template card type is required", op)
	}
	return wecom.InvalidArgument("%s: unknown template card type %q", op, c.CardType)
}

// check validates what a card of its type must have before it is sent.
func (c *TemplateCard) check(op string) error {
	if err := c.checkType(op); err != nil {
		return err
	}
	t := c.CardType
	hasTitle := c.MainTitle != nil && c.MainTitle.Title != ""
	switch {
	case (t.Interactive() || c.ActionMenu != nil) && c.TaskID == "":
		return wecom.InvalidArgument("%s: %s card: task_id is required", op, t)
	case t == CardTextNotice && !hasTitle && c.SubTitleText == "":
		return wecom.InvalidArgument("%s: text_notice card: main_title.title or sub_title_text is required", op)
	case t != CardTextNotice && !hasTitle:
		return wecom.InvalidArgument("%s: %s card: main_title.title is required", op, t)
	case (t == CardTextNotice || t == CardNewsNotice) && c.CardAction == nil:
		return wecom.InvalidArgument("%s: %s card: card_action is required", op, t)
	case t == CardButtonInteraction && (len(c.ButtonList) == 0 || len(c.ButtonList) > 6):
		return wecom.InvalidArgument("%s: button_interaction card: %d buttons: need 1..6", op, len(c.ButtonList))
	case t == CardVoteInteraction && (c.Checkbox == nil || len(c.Checkbox.OptionList) == 0 || len(c.Checkbox.OptionList) > 20):
		return wecom.InvalidArgument("%s: vote_interaction card: checkbox with 1..20 options is required", op)
	case t == CardMultipleInteraction && (len(c.SelectList) == 0 || len(c.SelectList) > 3):
		return wecom.InvalidArgument("%s: multiple_interaction card: %d selections: need 1..3", op, len(c.SelectList))
	case (t == CardVoteInteraction || t == CardMultipleInteraction) && c.SubmitButton == nil:
		return wecom.InvalidArgument("%s: %s card: submit_button is required", op, t)
	}
	return nil
}
