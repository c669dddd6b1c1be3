package appmessage

import (
	"context"
	"testing"

	"github.com/wecomkit/wecom"
	"github.com/wecomkit/wecom/internal/stubwecom"
)

// The package's test kit: the shared canned-answer stub, under the names
// the tests use.

type sent = stubwecom.Sent

type stub struct{ *stubwecom.Stub }

func newStub(t *testing.T, extra ...wecom.Option) (*stub, *Service) {
	t.Helper()
	st, c := stubwecom.New(t, extra...)
	return &stub{st}, New(c)
}

func (st *stub) answer(path string, bodies ...string) { st.Answer(path, bodies...) }
func (st *stub) file(t *testing.T, path, name string) { t.Helper(); st.File(t, path, name) }
func (st *stub) requests() []sent                     { return st.Requests() }
func jsonOf(t *testing.T, s string) any               { t.Helper(); return stubwecom.JSON(t, s) }
func testCtx(t *testing.T) context.Context            { return stubwecom.Ctx(t) }
