package main

import (
	"context"
	"log/slog"

	"github.com/vasteras/trygg/internal/app"
	"github.com/vasteras/trygg/internal/config"
	"github.com/vasteras/trygg/internal/store/redisstore"
)

// serve runs the HTTP server until ctx ends (SIGTERM, SIGINT).
func serve(ctx context.Context, cfg config.Config, log *slog.Logger) int {
	redisstore.SetLogger(log)
	a, err := app.New(ctx, cfg, log, app.Options{})
	if err != nil {
		log.Error("cannot start", "error", err.Error())
		return 1
	}
	defer a.Close()
	log.Info("trygg serving", "addr", cfg.Addr, "metrics_addr", cfg.MetricsAddr, "languages", a.Engine.Langs())
	if err := a.Run(ctx); err != nil {
		log.Error("server stopped", "error", err.Error())
		return 1
	}
	log.Info("trygg stopped")
	return 0
}
