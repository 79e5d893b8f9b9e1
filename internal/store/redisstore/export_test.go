package redisstore

import (
	"context"
	"log/slog"
)

// SlogLogger returns the adapter SetLogger installs, for tests that must not change
// go-redis' process-wide logger.
func SlogLogger(log *slog.Logger) interface {
	Printf(ctx context.Context, format string, v ...any)
} {
	return slogLogger{log}
}
