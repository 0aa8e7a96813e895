package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os/signal"
	"syscall"
	"time"

	"github.com/kilnhq/kiln/internal/config"
	"github.com/kilnhq/kiln/internal/node"
)

func newLogger(cfg *config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func serve(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg := config.Default()
	fs := flag.NewFlagSet("kiln serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg.BindServe(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("serve takes no arguments, got %q", fs.Args())}
	}
	cfg.LoadAdminEnv()
	if err := cfg.Validate(); err != nil {
		return usageError{err.Error()}
	}
	logger := newLogger(cfg, stderr)
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	start := time.Now()
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	n, err := node.Open(ctx, cfg, version, logger)
	if err != nil {
		ln.Close()
		return err
	}
	if n.Bootstrap.GeneratedPassword != "" {
		fmt.Fprintf(stdout, "Generated admin password (shown once; set KILN_ADMIN_PASSWORD to choose one): %s\n", n.Bootstrap.GeneratedPassword)
	}
	if err := n.Start(ctx); err != nil {
		_ = n.Close(context.Background())
		ln.Close()
		return err
	}
	backend := n.Store.Backend()
	logger.Info("kiln ready", "version", version, "listen", ln.Addr().String(), "public_url", cfg.PublicURL,
		"region", cfg.Region, "store", backend, "admin_project_id", n.Bootstrap.AdminProjectID,
		"startup", time.Since(start).Round(time.Millisecond))
	serveErr := n.Serve(ctx, ln)
	logger.Info("kiln stopping")
	closeCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := n.Close(closeCtx); err != nil && serveErr == nil {
		serveErr = err
	}
	return serveErr
}
