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
	if err := b.prepare(ctx); err != nil {
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
	read      *sql.DB
	readStmts *stmtCache
	write     *sql.DB
	stmts     *stmtCache // on write
}

func (b *backend) Begin(ctx context.Context) (sqlstore.BackendTx[*sql.Tx], error) {
	tx, err := b.write.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	return &backendTx{stmts: b.stmts, tx: tx}, nil
}

// prepare fills the statement caches; it runs after the migrations made the
// tables the statements name.
func (b *backend) prepare(ctx context.Context) error {
	var err error
	if b.readStmts, err = newStmtCache(ctx, b.read); err != nil {
		return err
	}
	b.stmts, err = newStmtCache(ctx, b.write)
	return err
}

func (b *backend) Close() error {
	var errs []error
	for _, c := range []*stmtCache{b.readStmts, b.stmts} {
		if c != nil {
			errs = append(errs, c.close())
		}
	}
	return errors.Join(append(errs, b.read.Close(), b.write.Close())...)
}

func (b *backend) InterpretError(err error) error { return interpretError(err) }

func (b *backend) Name() string { return "sqlite" }

func (b *backend) Ping(ctx context.Context) error {
	return errors.Join(b.read.PingContext(ctx), b.write.PingContext(ctx))
}

func (b *backend) Reader() sqlstore.Executor { return dbExecutor{b.readStmts} }

func (b *backend) Writer() sqlstore.Executor { return dbExecutor{b.stmts} }

// dbExecutor runs statements on a pool through its statement cache.
type dbExecutor struct {
	stmts *stmtCache
}

func (e dbExecutor) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	stmt := e.stmts.get(query)
	var (
		res sql.Result
		err error
	)
	if stmt != nil {
		res, err = stmt.ExecContext(ctx, args...)
	} else {
		res, err = e.stmts.db.ExecContext(ctx, query, args...)
	}
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (e dbExecutor) Query(ctx context.Context, query string, args ...any) (sqlstore.Rows, error) {
	stmt := e.stmts.get(query)
	var (
		rows *sql.Rows
		err  error
	)
	if stmt != nil {
		rows, err = stmt.QueryContext(ctx, args...)
	} else {
		rows, err = e.stmts.db.QueryContext(ctx, query, args...)
	}
	if err != nil {
		return nil, err
	}
	return sqlRows{rows}, nil
}

// backendTx runs statements in a transaction, through the write pool's
// cached statements bound to the transaction.
type backendTx struct {
	stmts   *stmtCache
	tx      *sql.Tx
	txStmts map[string]*sql.Stmt
}

func (t *backendTx) Commit(context.Context) error { return t.tx.Commit() }

func (t *backendTx) Native() *sql.Tx { return t.tx }

func (t *backendTx) Rollback(context.Context) error { return t.tx.Rollback() }

// stmt returns the prepared statement bound to the transaction, or nil when
// the query is not prepared. Binding uses the transaction's connection.
func (t *backendTx) stmt(ctx context.Context, query string) *sql.Stmt {
	if stmt, ok := t.txStmts[query]; ok {
		return stmt
	}
	stmt := t.stmts.get(query)
	if stmt == nil {
		return nil
	}
	if t.txStmts == nil {
		t.txStmts = make(map[string]*sql.Stmt)
	}
	// Closed by the transaction's end.
	txStmt := t.tx.StmtContext(ctx, stmt)
	t.txStmts[query] = txStmt
	return txStmt
}

func (t *backendTx) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	stmt := t.stmt(ctx, query)
	var (
		res sql.Result
		err error
	)
	if stmt != nil {
		res, err = stmt.ExecContext(ctx, args...)
	} else {
		res, err = t.tx.ExecContext(ctx, query, args...)
	}
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (t *backendTx) Query(ctx context.Context, query string, args ...any) (sqlstore.Rows, error) {
	stmt := t.stmt(ctx, query)
	var (
		rows *sql.Rows
		err  error
	)
	if stmt != nil {
		rows, err = stmt.QueryContext(ctx, args...)
	} else {
		rows, err = t.tx.QueryContext(ctx, query, args...)
	}
	if err != nil {
		return nil, err
	}
	return sqlRows{rows}, nil
}

type sqlRows struct{ *sql.Rows }

func (r sqlRows) Close() { _ = r.Rows.Close() }

// stmtCache holds the store's static statements, prepared at Open:
// parsing is most of the cost of a simple statement in SQLite. It is built
// before use and never changes, so reads need no lock. Preparing later would
// need a connection, and the write pool's only one may be held by the very
// transaction asking. database/sql prepares a statement again on any other
// connection it runs on, on that connection. Templated statements run
// unprepared.
type stmtCache struct {
	db    *sql.DB
	stmts map[string]*sql.Stmt
}

func newStmtCache(ctx context.Context, db *sql.DB) (*stmtCache, error) {
	c := &stmtCache{db: db, stmts: make(map[string]*sql.Stmt)}
	for _, query := range sqlstore.StaticQueries() {
		stmt, err := db.PrepareContext(ctx, query)
		if err != nil {
			_ = c.close()
			return nil, fmt.Errorf("prepare %q: %w", query, err)
		}
		c.stmts[query] = stmt
	}
	return c, nil
}

// get returns the prepared statement for query, or nil.
func (c *stmtCache) get(query string) *sql.Stmt { return c.stmts[query] }

func (c *stmtCache) close() error {
	var errs []error
	for _, stmt := range c.stmts {
		errs = append(errs, stmt.Close())
	}
	return errors.Join(errs...)
}

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
