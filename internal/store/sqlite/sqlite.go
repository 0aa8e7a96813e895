// Package sqlite is Kiln's embedded store: a store.Store on one SQLite file
// (pure Go, modernc.org/sqlite), needing no other service.
//
// # Connections
//
// SQLite allows one writer at a time. The store keeps one write connection
// (a *sql.DB capped at one open connection) for transactions, writes and
// River, and a separate pool of query-only connections for reads made
// directly on the Store; under WAL those readers never wait for the writer
// and see each committed transaction as soon as it commits. Write
// transactions begin IMMEDIATE, so a second process on the same file (an
// admin command) waits on busy_timeout instead of failing mid-transaction.
//
// Because there is one write connection, a function run by InTx must use
// the Tx it is given for writes: a write made directly on the Store from
// inside InTx waits for the connection the transaction holds, forever.
//
// # Durability
//
// The file runs in WAL mode with synchronous=NORMAL: a commit survives a
// process crash (kill -9); a power loss may lose the last transactions but
// never corrupts the file.
//
// # Migrations
//
// Open applies Kiln's migrations (migrations/*.sql, with goose) and River's
// own, so an empty file becomes a ready store.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/pressly/goose/v3"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/kilnhq/kiln/internal/store"
	"github.com/kilnhq/kiln/internal/store/sqlstore"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// busyTimeoutMillis is how long a connection waits for another process's
// write lock before failing with SQLITE_BUSY (store.ErrBusy).
const busyTimeoutMillis = 5000

// Config configures Open.
type Config struct {
	// Logger receives the store's and River's warnings. Nil discards them.
	Logger *slog.Logger

	// Path is the database file. Its directory is created if missing.
	Path string
}

// Store is a store.Store on one SQLite file.
type Store struct {
	*sqlstore.Store[*sql.Tx]
}

// Open opens (creating if missing) and migrates the database at cfg.Path.
func Open(ctx context.Context, cfg *Config) (*Store, error) {
	if cfg.Path == "" {
		return nil, errors.New("sqlite open: path is required")
	}
	if strings.ContainsAny(cfg.Path, "?#") {
		return nil, fmt.Errorf("sqlite open: path %q must not contain '?' or '#'", cfg.Path)
	}
	if dir := filepath.Dir(cfg.Path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("sqlite open: %w", err)
		}
	}

	b, err := openBackend(ctx, cfg.Path)
	if err != nil {
		return nil, fmt.Errorf("sqlite open: %w", err)
	}
	if err := migrate(ctx, b.write, cfg.Logger); err != nil {
		_ = b.Close()
		return nil, fmt.Errorf("sqlite open: %w", err)
	}
	s, err := sqlstore.New(b, &sqlstore.Config[*sql.Tx]{
		Logger:      cfg.Logger,
		RiverDriver: riversqlite.New(b.write),
	})
	if err != nil {
		_ = b.Close()
		return nil, fmt.Errorf("sqlite open: %w", err)
	}
	return &Store{Store: s}, nil
}

// dsn builds a modernc DSN: a plain path whose query the driver applies to
// every new connection.
func dsn(path string, pragmas ...string) string {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeoutMillis))
	for _, p := range pragmas {
		q.Add("_pragma", p)
	}
	return path + "?" + q.Encode()
}

func openBackend(ctx context.Context, path string) (*backend, error) {
	write, err := sql.Open("sqlite", dsn(path, "journal_mode(WAL)", "synchronous(NORMAL)", "foreign_keys(1)")+"&_txlock=immediate")
	if err != nil {
		return nil, err
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxIdleTime(0)
	write.SetConnMaxLifetime(0)
	// Connect now: the first connection switches the file to WAL before
	// any reader opens it.
	if err := write.PingContext(ctx); err != nil {
		_ = write.Close()
		return nil, err
	}

	read, err := sql.Open("sqlite", dsn(path, "foreign_keys(1)", "query_only(1)"))
	if err != nil {
		_ = write.Close()
		return nil, err
	}
	readers := max(4, runtime.GOMAXPROCS(0))
	read.SetMaxOpenConns(readers)
	read.SetMaxIdleConns(readers)
	read.SetConnMaxIdleTime(0)
	read.SetConnMaxLifetime(0)
	if err := read.PingContext(ctx); err != nil {
		_ = read.Close()
		_ = write.Close()
		return nil, err
	}
	return &backend{read: read, write: write}, nil
}

// migrate applies Kiln's migrations, then River's.
func migrate(ctx context.Context, db *sql.DB, logger *slog.Logger) error {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	migrations, err := fs.Sub(migrationFS, "migrations")
	if err != nil {
		return err
	}
	provider, err := goose.NewProvider(goose.DialectSQLite3, db, migrations, goose.WithSlog(logger))
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if _, err := provider.Up(ctx); err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	migrator, err := rivermigrate.New(riversqlite.New(db), &rivermigrate.Config{Logger: logger})
	if err != nil {
		return fmt.Errorf("river migrations: %w", err)
	}
	if _, err := migrator.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("river migrations: %w", err)
	}
	return nil
}

// backend adapts two database/sql pools to sqlstore.Backend.
type backend struct {
	read  *sql.DB
	write *sql.DB
}

func (b *backend) Begin(ctx context.Context) (sqlstore.BackendTx[*sql.Tx], error) {
	tx, err := b.write.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	return &backendTx{executor: executor{tx}, tx: tx}, nil
}

func (b *backend) Close() error {
	return errors.Join(b.read.Close(), b.write.Close())
}

func (b *backend) InterpretError(err error) error { return interpretError(err) }

func (b *backend) Name() string { return "sqlite" }

func (b *backend) Ping(ctx context.Context) error {
	return errors.Join(b.read.PingContext(ctx), b.write.PingContext(ctx))
}

func (b *backend) Reader() sqlstore.Executor { return executor{b.read} }

func (b *backend) Writer() sqlstore.Executor { return executor{b.write} }

type backendTx struct {
	executor

	tx *sql.Tx
}

func (t *backendTx) Commit(context.Context) error { return t.tx.Commit() }

func (t *backendTx) Native() *sql.Tx { return t.tx }

func (t *backendTx) Rollback(context.Context) error { return t.tx.Rollback() }

// executor adapts *sql.DB and *sql.Tx to sqlstore.Executor.
type executor struct {
	q interface {
		ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
		QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	}
}

func (e executor) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	res, err := e.q.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (e executor) Query(ctx context.Context, query string, args ...any) (sqlstore.Rows, error) {
	rows, err := e.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return sqlRows{rows}, nil
}

type sqlRows struct{ *sql.Rows }

func (r sqlRows) Close() { _ = r.Rows.Close() }

// interpretError translates SQLite errors into the store's: no rows is
// ErrNotFound, a unique or primary key violation ErrAlreadyExists, and a
// busy or locked database ErrBusy. The driver error stays in the chain.
func interpretError(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%w: %w", store.ErrNotFound, err)
	}
	var sqliteErr *sqlite.Error
	if errors.As(err, &sqliteErr) {
		code := sqliteErr.Code()
		switch {
		case code == sqlite3.SQLITE_CONSTRAINT_UNIQUE || code == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return fmt.Errorf("%w: %w", store.ErrAlreadyExists, err)
		case code&0xff == sqlite3.SQLITE_BUSY || code&0xff == sqlite3.SQLITE_LOCKED:
			return fmt.Errorf("%w: %w", store.ErrBusy, err)
		}
	}
	return err
}
