// Package postgres is Kiln's scale-out store: a store.Store on PostgreSQL
// through pgx, shared by every node of a cluster.
//
// # Model
//
// Several kiln nodes open the same database (and schema); any node serves
// any request. Transactions run concurrently at READ COMMITTED. The order of
// a project's events comes from its counter row in event_counter: an append
// takes the next seq and holds the row's lock until its transaction ends, so
// a project's events commit in seq order with no gaps, while other projects
// append in parallel. Operation leases and their fencing tokens decide which
// node works an operation; River delivers jobs to workers, woken by
// LISTEN/NOTIFY and polling.
//
// # Schema
//
// With Config.Schema set, the schema is created if missing and every
// connection uses it first in its search_path, River's tables included; tests
// use a fresh schema each. Empty uses the server's search_path.
//
// # Migrations
//
// Open applies Kiln's migrations (migrations/*.sql, with goose) and River's
// own under a session advisory lock keyed by the schema, so nodes starting
// together migrate once.
//
// # Failure behaviour
//
// Serialization failures, deadlocks and lost connections surface as
// store.ErrBusy: nothing was committed and the caller may retry. An error
// from Commit that is not one of those is ambiguous and is returned as is.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"hash/crc64"
	"io/fs"
	"log/slog"
	"net"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/kilnhq/kiln/internal/store"
	"github.com/kilnhq/kiln/internal/store/sqlstore"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Config configures Open.
type Config struct {
	// Logger receives the store's and River's warnings. Nil discards them.
	Logger *slog.Logger

	// Schema, when set, is created if missing and used for every table,
	// Kiln's and River's.
	Schema string

	// URL is a postgres:// connection string; pgxpool settings such as
	// pool_max_conns may be given in it. Without pool_max_conns the pool
	// holds up to maxConnsDefault connections.
	URL string
}

// maxConnsDefault replaces pgxpool's default of four connections: River
// keeps one for LISTEN and uses more to fetch and complete jobs, and each
// running operation holds one for its transactions.
const maxConnsDefault = 20

// Store is a store.Store on PostgreSQL.
type Store struct {
	*sqlstore.Store[pgx.Tx]
}

// Open connects, creates the schema if asked, and migrates.
func Open(ctx context.Context, cfg *Config) (*Store, error) {
	poolConfig, err := pgxpool.ParseConfig(cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("postgres open: %w", err)
	}
	if !strings.Contains(cfg.URL, "pool_max_conns") {
		poolConfig.MaxConns = maxConnsDefault
	}
	if cfg.Schema != "" {
		if err := createSchema(ctx, poolConfig.ConnConfig, cfg.Schema); err != nil {
			return nil, fmt.Errorf("postgres open: %w", err)
		}
		poolConfig.ConnConfig.RuntimeParams["search_path"] = pgx.Identifier{cfg.Schema}.Sanitize()
	}
	pool, err := pgxpool.NewWithConfig(ctx, poolConfig)
	if err != nil {
		return nil, fmt.Errorf("postgres open: %w", err)
	}
	if err := migrate(ctx, pool, cfg.Schema, cfg.Logger); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres open: %w", err)
	}
	s, err := sqlstore.New(&backend{pool: pool}, &sqlstore.Config[pgx.Tx]{
		Logger:      cfg.Logger,
		RiverDriver: riverpgxv5.New(pool),
		Schema:      cfg.Schema,
	})
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres open: %w", err)
	}
	return &Store{Store: s}, nil
}

// createSchema runs on its own connection: the pool's connections name the
// schema in their search_path before it exists.
func createSchema(ctx context.Context, connConfig *pgx.ConnConfig, schema string) error {
	conn, err := pgx.ConnectConfig(ctx, connConfig)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	// Look first: creating needs a privilege a node may not have on a
	// database prepared for it.
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)", schema).Scan(&exists); err != nil {
		return fmt.Errorf("create schema: %w", err)
	}
	if exists {
		return nil
	}
	if _, err := conn.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+pgx.Identifier{schema}.Sanitize()); err != nil {
		// Two nodes creating the schema at once can race in the catalog.
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != "23505" {
			return fmt.Errorf("create schema: %w", err)
		}
	}
	return nil
}

// migrate applies Kiln's migrations, then River's, holding an advisory lock
// keyed by the schema on one connection for the duration.
func migrate(ctx context.Context, pool *pgxpool.Pool, schema string, logger *slog.Logger) error {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	lockID := int64(crc64.Checksum([]byte("kiln-migrate:"+schema), crc64.MakeTable(crc64.ECMA))) //nolint:gosec // any 64 bits will do
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", lockID); err != nil {
		return fmt.Errorf("migration lock: %w", err)
	}
	defer func() {
		_, _ = conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", lockID)
	}()

	migrations, err := fs.Sub(migrationFS, "migrations")
	if err != nil {
		return err
	}
	db := stdlib.OpenDBFromPool(pool)
	defer db.Close()
	provider, err := goose.NewProvider(goose.DialectPostgres, db, migrations, goose.WithSlog(logger))
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if _, err := provider.Up(ctx); err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	migrator, err := rivermigrate.New(riverpgxv5.New(pool), &rivermigrate.Config{Logger: logger, Schema: schema})
	if err != nil {
		return fmt.Errorf("river migrations: %w", err)
	}
	if _, err := migrator.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("river migrations: %w", err)
	}
	return nil
}

// backend adapts a pgx pool to sqlstore.Backend.
type backend struct {
	pool *pgxpool.Pool
}

func (b *backend) Begin(ctx context.Context) (sqlstore.BackendTx[pgx.Tx], error) {
	tx, err := b.pool.Begin(ctx)
	if err != nil {
		return nil, err
	}
	return &backendTx{executor: executor{tx}, tx: tx}, nil
}

func (b *backend) Close() error {
	b.pool.Close()
	return nil
}

func (b *backend) InterpretError(err error) error { return interpretError(err) }

func (b *backend) Name() string { return "postgres" }

func (b *backend) Ping(ctx context.Context) error { return b.pool.Ping(ctx) }

func (b *backend) Reader() sqlstore.Executor { return executor{b.pool} }

func (b *backend) Writer() sqlstore.Executor { return executor{b.pool} }

type backendTx struct {
	executor

	tx pgx.Tx
}

// Commit marks a failure whose outcome is unknown (the connection broke
// while the commit was in flight) so that it is not read as ErrBusy, which
// promises nothing was written.
func (t *backendTx) Commit(ctx context.Context) error {
	err := t.tx.Commit(ctx)
	if err == nil {
		return nil
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) || pgconn.SafeToRetry(err) {
		return err
	}
	return &commitUnknownError{err: err}
}

// commitUnknownError is a commit that may or may not have happened.
type commitUnknownError struct {
	err error
}

func (e *commitUnknownError) Error() string { return "commit outcome unknown: " + e.err.Error() }

func (e *commitUnknownError) Unwrap() error { return e.err }

func (t *backendTx) Native() pgx.Tx { return t.tx }

func (t *backendTx) Rollback(ctx context.Context) error { return t.tx.Rollback(ctx) }

// executor adapts *pgxpool.Pool and pgx.Tx to sqlstore.Executor.
type executor struct {
	q interface {
		Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
		Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	}
}

func (e executor) Exec(ctx context.Context, sql string, args ...any) (int64, error) {
	tag, err := e.q.Exec(ctx, sql, args...)
	if err != nil {
		return 0, err
	}
	return tag.RowsAffected(), nil
}

func (e executor) Query(ctx context.Context, sql string, args ...any) (sqlstore.Rows, error) {
	rows, err := e.q.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	return rows, nil
}

// interpretError translates PostgreSQL errors into the store's: no rows is
// ErrNotFound, unique_violation ErrAlreadyExists, and serialization
// failures, deadlocks, lock timeouts, shutdowns and connection failures
// ErrBusy. The driver error stays in the chain.
func interpretError(err error) error {
	if err == nil {
		return nil
	}
	var unknown *commitUnknownError
	if errors.As(err, &unknown) {
		return err
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("%w: %w", store.ErrNotFound, err)
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch {
		case pgErr.Code == "23505": // unique_violation
			return fmt.Errorf("%w: %w", store.ErrAlreadyExists, err)
		case pgErr.Code == "40001", // serialization_failure
			pgErr.Code == "40P01",               // deadlock_detected
			pgErr.Code == "55P03",               // lock_not_available
			pgErr.Code == "57P01",               // admin_shutdown
			pgErr.Code == "57P03",               // cannot_connect_now
			strings.HasPrefix(pgErr.Code, "08"): // connection_exception
			return fmt.Errorf("%w: %w", store.ErrBusy, err)
		}
		return err
	}
	var connectErr *pgconn.ConnectError
	var netErr net.Error
	if errors.As(err, &connectErr) || errors.As(err, &netErr) || pgconn.SafeToRetry(err) {
		return fmt.Errorf("%w: %w", store.ErrBusy, err)
	}
	return err
}
