package wecomtest_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wecomkit/wecom/wecomtest"
)

func clearEnv(t *testing.T) {
	for _, k := range []string{"WECOM_CORP_ID", "WECOM_SECRET", "WECOM_AGENT_ID", "WECOM_BASE_URL", "WECOM_TOKEN", "WECOM_ENCODING_AES_KEY"} {
		t.Setenv(k, "")
	}
}

func TestEnvOrDemoStartsTheDemoWithoutCredentials(t *testing.T) {
	clearEnv(t)
	e, err := wecomtest.EnvOrDemo(nil, wecomtest.Demo{Users: 2, Customers: 3})
	require.NoError(t, err)
	defer e.Close()
	require.True(t, e.Embedded())
	assert.Equal(t, e.Server.URL, e.BaseURL)
	assert.Equal(t, wecomtest.DefaultAgentID, e.AgentID)
	c, err := e.Client()
	require.NoError(t, err)
	assert.Equal(t, wecomtest.DefaultAgentID, c.AgentID())
	tok, err := c.AccessToken(context.Background())
	require.NoError(t, err)
	assert.NotEmpty(t, tok, "the client reaches the embedded server")
}

func TestEnvOrDemoUsesTheEnvironment(t *testing.T) {
	clearEnv(t)
	t.Setenv("WECOM_CORP_ID", "ww123")
	t.Setenv("WECOM_SECRET", "s3cret")
	t.Setenv("WECOM_AGENT_ID", "1000005")
	t.Setenv("WECOM_BASE_URL", "http://127.0.0.1:9")
	e, err := wecomtest.EnvOrDemo(nil, wecomtest.Demo{})
	require.NoError(t, err)
	assert.False(t, e.Embedded())
	assert.Equal(t, &wecomtest.Env{CorpID: "ww123", Secret: "s3cret", AgentID: 1000005, BaseURL: "http://127.0.0.1:9"}, e)
	e.Close() // no server: nothing to do
}

func TestEnvOrDemoRejectsHalfAConfiguration(t *testing.T) {
	clearEnv(t)
	t.Setenv("WECOM_CORP_ID", "ww123")
	_, err := wecomtest.EnvOrDemo(nil, wecomtest.Demo{})
	assert.ErrorContains(t, err, "both WECOM_CORP_ID and WECOM_SECRET")
	clearEnv(t)
	t.Setenv("WECOM_AGENT_ID", "x")
	_, err = wecomtest.EnvOrDemo(nil, wecomtest.Demo{})
	assert.ErrorContains(t, err, "WECOM_AGENT_ID")
}
