package wecom

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Code is a WeCom errcode. Zero means success; the constants below name the
// codes the SDK acts on and the ones callers most often branch on.
type Code int

// Error codes. See https://developer.work.weixin.qq.com/document/path/90313.
const (
	CodeOK                    Code = 0
	CodeSystemBusy            Code = -1    // system busy: retry later
	CodeInvalidSecret         Code = 40001 // invalid corpsecret (or credential)
	CodeInvalidCorpID         Code = 40013 // invalid corpid
	CodeInvalidAccessToken    Code = 40014 // invalid access_token
	CodeChatNotFound          Code = 40050 // chat id does not exist
	CodeInvalidParameter      Code = 40058 // invalid or missing parameter
	CodeInvalidExternalUserID Code = 40096 // invalid external_userid
	CodeMemberNotVerified     Code = 40098 // member has not passed real-name verification (成员尚未实名认证)
	CodeAccessTokenMissing    Code = 41001 // access_token missing
	CodeContactWayNoType      Code = 41037 // contact way: type missing
	CodeContactWayNoScene     Code = 41038 // contact way: scene missing
	CodeContactWayBadType     Code = 41039 // contact way: invalid type
	CodeContactWayBadScene    Code = 41040 // contact way: invalid scene
	CodeContactWayTooManyUser Code = 41041 // contact way: too many users
	CodeContactWayBadStyle    Code = 41042 // contact way: invalid style
	CodeContactWayNoConfigID  Code = 41043 // contact way: config_id missing
	CodeContactWayBadConfigID Code = 41044 // contact way: invalid config_id
	CodeContactWayQuota       Code = 41045 // contact way: the corp's quota of contact ways is reached
	CodeInvalidSendTime       Code = 41052 // invalid send time
	CodeMemberNotActivated    Code = 41054 // member has not activated WeCom (该用户尚未激活)
	CodeNotReady              Code = 41063 // a mass message is still being dispatched: try later
	CodeAttachmentTooLarge    Code = 41064 // attachment larger than allowed: final, never poll on it
	CodeInvalidAttachmentType Code = 41065 // invalid attachment type
	CodeAccessTokenExpired    Code = 42001 // access_token expired
	CodeInvalidSuiteToken     Code = 40082 // invalid suite_access_token or provider_access_token
	CodeSuiteTokenExpired     Code = 42009 // suite_access_token expired
	CodeFrequencyLimit        Code = 45009 // API frequency limit
	CodeConcurrencyLimit      Code = 45033 // API concurrency limit
	CodeAPIForbidden          Code = 48002 // API forbidden: the app lacks the permission
	CodeChatDismissed         Code = 49008 // group chat already dismissed
	CodeNoPrivilege           Code = 60011 // no privilege to access or modify
	CodeUserNotFound          Code = 60111 // userid not found
	CodeNoRelationship        Code = 84061 // no relationship between member and customer
)

// codeMinuteLimit (45011) is not in WeCom's error list (it is a WeChat
// mini-program code); retrying on it is harmless, so it is treated as a
// frequency limit without being named.
const codeMinuteLimit Code = 45011

var codeText = map[Code]string{
	CodeOK:                    "ok",
	CodeSystemBusy:            "system busy",
	CodeInvalidSecret:         "invalid secret",
	CodeInvalidCorpID:         "invalid corpid",
	CodeInvalidAccessToken:    "invalid access_token",
	CodeChatNotFound:          "chat id does not exist",
	CodeInvalidParameter:      "invalid parameter",
	CodeInvalidExternalUserID: "invalid external_userid",
	CodeMemberNotVerified:     "member has not passed real-name verification",
	CodeAccessTokenMissing:    "access_token missing",
	CodeContactWayNoType:      "contact way type missing",
	CodeContactWayNoScene:     "contact way scene missing",
	CodeContactWayBadType:     "invalid contact way type",
	CodeContactWayBadScene:    "invalid contact way scene",
	CodeContactWayTooManyUser: "too many users in contact way",
	CodeContactWayBadStyle:    "invalid contact way style",
	CodeContactWayNoConfigID:  "contact way config_id missing",
	CodeContactWayBadConfigID: "invalid contact way config_id",
	CodeContactWayQuota:       "contact way quota reached",
	CodeInvalidSendTime:       "invalid send time",
	CodeMemberNotActivated:    "member not activated",
	CodeNotReady:              "mass message still being dispatched",
	CodeAttachmentTooLarge:    "attachment too large",
	CodeInvalidAttachmentType: "invalid attachment type",
	CodeAccessTokenExpired:    "access_token expired",
	CodeInvalidSuiteToken:     "invalid suite or provider access token",
	CodeSuiteTokenExpired:     "suite access token expired",
	CodeFrequencyLimit:        "api frequency limit",
	CodeConcurrencyLimit:      "api concurrency limit",
	CodeAPIForbidden:          "api forbidden",
	CodeChatDismissed:         "group chat dismissed",
	CodeNoPrivilege:           "no privilege",
	CodeUserNotFound:          "userid not found",
	CodeNoRelationship:        "no relationship between member and customer",
}

// String returns a short English description of well-known codes and the
// number for the rest.
func (c Code) String() string {
	if s, ok := codeText[c]; ok {
		return s
	}
	return strconv.Itoa(int(c))
}

// Error is the one error type the SDK returns for a failed call. It covers
// WeCom errcodes (Code != 0), HTTP-level failures (HTTPStatus, Code == 0),
// and transport failures (Err holds the cause; HTTPStatus == 0). Use
// errors.As to reach it through wrapping, or the Is* predicates.
//
// Error never holds an access token, the corp secret or a full query string.
type Error struct {
	// Code is WeCom's errcode; 0 when the failure happened below WeCom's API
	// layer (HTTP status, network, malformed response).
	Code Code
	// Message is errmsg without the diagnostic tail WeCom appends, or a
	// description of the failure.
	Message string
	// Hint is the request id WeCom appends to errmsg ("hint: [...]"); quote it
	// when asking WeCom support about a call.
	Hint string
	// Method and Path name the endpoint, such as POST
	// /cgi-bin/externalcontact/add_msg_template.
	Method string
	Path   string
	// HTTPStatus is the response's status code; 0 when no response arrived.
	HTTPStatus int
	// Attempts is how many times the request was sent.
	Attempts int
	// MaybeApplied is true when a call that changes data failed in a way that
	// does not tell whether WeCom applied it: attempt timeout, dropped or
	// reset connection, system busy, any 5xx, a 200 with HTML, garbage or
	// an empty body, the caller's context ending after the request may have
	// gone out. The SDK does not repeat such a call; check the state before
	// you do. It is false only when WeCom certainly did not apply the call.
	MaybeApplied bool
	// Applied is true when WeCom answered errcode 0 (the call was carried
	// out) but the answer could not be decoded: the change WAS made, only
	// its result is unreadable. Do not repeat the call. MaybeApplied is set
	// too for calls that change data, so a caller who checks only
	// IsMaybeApplied is safe. See IsAppliedUnreadable.
	Applied bool
	// Err is the underlying cause (network error, context error, decode
	// error), if any.
	Err error
}

// Error implements error.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("wecom: ")
	if e.Method != "" {
		b.WriteString(e.Method)
		b.WriteByte(' ')
	}
	b.WriteString(e.Path)
	b.WriteString(": ")
	switch {
	case e.Code != 0:
		fmt.Fprintf(&b, "errcode %d", int(e.Code))
		if e.Message != "" {
			b.WriteString(": ")
			b.WriteString(e.Message)
		}
		if e.Hint != "" {
			b.WriteString(" (hint ")
			b.WriteString(e.Hint)
			b.WriteByte(')')
		}
	case e.Message != "":
		b.WriteString(e.Message)
	default:
		b.WriteString("request failed")
	}
	if e.HTTPStatus != 0 && e.HTTPStatus != 200 && e.Code != 0 {
		fmt.Fprintf(&b, " [HTTP %d]", e.HTTPStatus)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " (after %d attempts)", e.Attempts)
	}
	switch {
	case e.Applied:
		b.WriteString("; WeCom carried out the call (errcode 0) but its answer is unreadable: do not repeat it")
	case e.MaybeApplied:
		b.WriteString("; the change may have been applied: check before repeating it")
	}
	return b.String()
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// ErrorCode returns the WeCom errcode carried by err, or 0 when err carries
// none.
func ErrorCode(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return 0
}

// HasCode reports whether err carries one of the given WeCom errcodes.
func HasCode(err error, codes ...Code) bool {
	c := ErrorCode(err)
	if c == 0 {
		return false
	}
	for _, x := range codes {
		if c == x {
			return true
		}
	}
	return false
}

// IsRateLimited reports whether err is a WeCom frequency or concurrency limit
// (45009, 45033) or an HTTP 429.
func IsRateLimited(err error) bool {
	var e *Error
	if !errors.As(err, &e) {
		return false
	}
	return isRateLimitCode(e.Code) || e.HTTPStatus == 429
}

func isRateLimitCode(c Code) bool {
	return c == CodeFrequencyLimit || c == CodeConcurrencyLimit || c == codeMinuteLimit
}

// IsTokenInvalid reports whether err says the access token was rejected
// (40014, 40082, 42001, 42009, 41001).
func IsTokenInvalid(err error) bool {
	return HasCode(err, CodeInvalidAccessToken, CodeInvalidSuiteToken, CodeAccessTokenExpired, CodeSuiteTokenExpired, CodeAccessTokenMissing)
}

// isTokenRejected: WeCom refused the token before doing anything, so the
// call is repeated once with a fresh one. 40082 is the service-provider
// tokens' (suite_access_token, provider_access_token) "invalid".
func isTokenRejected(c Code) bool {
	return c == CodeInvalidAccessToken || c == CodeAccessTokenExpired || c == CodeSuiteTokenExpired || c == CodeInvalidSuiteToken
}

// IsBusy reports whether err is WeCom's "system busy" (-1).
func IsBusy(err error) bool { return HasCode(err, CodeSystemBusy) }

// IsNotReady reports whether err says a result is not ready yet: 41063, a
// mass message still being dispatched, the only such code WeCom has.
// 41064 (attachment too large) is final.
func IsNotReady(err error) bool { return HasCode(err, CodeNotReady) }

// IsPermissionDenied reports whether err says the app or member lacks the
// permission for the call (48002, 60011).
func IsPermissionDenied(err error) bool { return HasCode(err, CodeAPIForbidden, CodeNoPrivilege) }

// IsCredentialError reports whether err says the corp id or secret is wrong
// (40013, 40001): retrying will not help.
func IsCredentialError(err error) bool { return HasCode(err, CodeInvalidCorpID, CodeInvalidSecret) }

// IsMaybeApplied reports whether err comes from a call that changes data and
// failed in a way that leaves unknown whether WeCom applied it, including a
// call WeCom applied whose answer is unreadable (see IsAppliedUnreadable).
func IsMaybeApplied(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.MaybeApplied
}

// IsAppliedUnreadable reports whether err says WeCom carried out the call
// (errcode 0) but its answer could not be decoded (Error.Applied): the
// change was made and must not be repeated, though its result, such as a
// new msgid, is lost.
func IsAppliedUnreadable(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Applied
}
