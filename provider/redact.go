package provider

import (
	"fmt"
	"log/slog"
)

// LogValue keeps the ticket out of logs: only its TimeStamp is logged.
func (t Ticket) LogValue() slog.Value {
	return slog.GroupValue(slog.Int64("timestamp", t.TimeStamp), slog.Bool("set", t.Value != ""))
}

// String keeps the ticket out of fmt output.
func (t Ticket) String() string { return fmt.Sprintf("provider.Ticket{TimeStamp: %d}", t.TimeStamp) }

// LogValue keeps the permanent code out of logs.
func (a *Authorization) LogValue() slog.Value {
	return slog.GroupValue(slog.String("corpid", a.AuthCorpInfo.CorpID), slog.String("corp_name", a.AuthCorpInfo.CorpName),
		slog.String("state", a.State))
}

// LogValue keeps the permanent code and the access token out of logs.
func (a *LegacyAuthorization) LogValue() slog.Value {
	return slog.GroupValue(slog.String("corpid", a.AuthCorpInfo.CorpID), slog.String("corp_name", a.AuthCorpInfo.CorpName),
		slog.String("state", a.State))
}
