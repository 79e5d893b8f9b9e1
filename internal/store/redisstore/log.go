package redisstore

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/redis/go-redis/v9"
)

// SetLogger sends go-redis' own messages (failed dials, pool trouble) to log at level
// warn, instead of plain lines on stderr between trygg's structured ones. go-redis keeps
// one logger per process, so only main should call this, once, before opening a Store.
// The messages name addresses and errors, never data.
func SetLogger(log *slog.Logger) { redis.SetLogger(slogLogger{log}) }

// slogLogger adapts a *slog.Logger to go-redis' logging interface.
type slogLogger struct{ log *slog.Logger }

// Printf logs one go-redis message.
func (l slogLogger) Printf(ctx context.Context, format string, v ...any) {
	l.log.WarnContext(ctx, "redis client: "+fmt.Sprintf(format, v...))
}
