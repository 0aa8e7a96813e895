package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/riverqueue/river/riverdriver"

	"github.com/kilnhq/kiln/internal/store"
)

// Config wires a Backend to River.
type Config[TTx any] struct {
	// Logger receives the store's and River's logs; River's below Warn are
	// dropped. Nil discards everything.
	Logger *slog.Logger

	// RiverDriver is River's driver for the same database, on the same
	// handle the backend writes with.
	RiverDriver riverdriver.Driver[TTx]

	// Schema is the PostgreSQL schema River's tables live in; empty for
	// SQLite and for PostgreSQL's search_path.
	Schema string
}

// Store implements store.Store on a Backend. Backend packages embed it and
// add their own Open.
type Store[TTx any] struct {
	*queries

	backend   Backend[TTx]
	closeErr  error
	closeOnce sync.Once
	queue     *queue[TTx]
}

var _ store.Store = (*Store[any])(nil)

// New builds a Store on an opened and migrated backend. It creates River's
// insert-only client; QueueStart creates the working one.
func New[TTx any](backend Backend[TTx], cfg *Config[TTx]) (*Store[TTx], error) {
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	queue, err := newQueue(cfg.RiverDriver, logger, cfg.Schema)
	if err != nil {
		return nil, err
	}
	s := &Store[TTx]{backend: backend, queue: queue}
	s.queries = &queries{
		dialect:   backend.Name(),
		interpret: backend.InterpretError,
		inTx: func(ctx context.Context, fn func(q *queries) error) error {
			return s.inTx(ctx, func(tx *tx[TTx]) error { return fn(tx.queries) })
		},
		reader: backend.Reader(),
		writer: backend.Writer(),
	}
	return s, nil
}

func (s *Store[TTx]) Backend() string { return s.backend.Name() }

// closeQueueTimeout bounds how long Close waits for running jobs before it
// cancels them.
const closeQueueTimeout = 10 * time.Second

// Close stops the queue, waiting up to closeQueueTimeout for running jobs,
// and closes the backend. Later calls return the first call's result.
func (s *Store[TTx]) Close() error {
	s.closeOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), closeQueueTimeout)
		defer cancel()
		queueErr := s.queue.stop(ctx)
		s.closeErr = errors.Join(queueErr, s.backend.Close())
	})
	return s.closeErr
}

func (s *Store[TTx]) InTx(ctx context.Context, fn func(ctx context.Context, tx store.Tx) error) error {
	return s.inTx(ctx, func(tx *tx[TTx]) error { return fn(ctx, tx) })
}

// inTx begins a transaction, runs fn and commits when it returns nil. It
// rolls back on error and on panic (which is passed on).
func (s *Store[TTx]) inTx(ctx context.Context, fn func(tx *tx[TTx]) error) error {
	native, err := s.backend.Begin(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", s.backend.InterpretError(err))
	}
	done := false
	defer func() {
		if !done {
			// After a failed commit this is a no-op; after an error or a
			// panic in fn it undoes the work.
			_ = native.Rollback(context.WithoutCancel(ctx))
		}
	}()
	t := &tx[TTx]{native: native, queue: s.queue}
	t.queries = &queries{
		dialect:   s.backend.Name(),
		interpret: s.backend.InterpretError,
		inTx:      func(_ context.Context, fn func(q *queries) error) error { return fn(t.queries) },
		reader:    native,
		writer:    native,
	}
	if err := fn(t); err != nil {
		return err
	}
	if err := native.Commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", s.backend.InterpretError(err))
	}
	done = true
	return nil
}

func (s *Store[TTx]) Ping(ctx context.Context) error {
	if err := s.backend.Ping(ctx); err != nil {
		return fmt.Errorf("ping: %w", s.backend.InterpretError(err))
	}
	return nil
}

func (s *Store[TTx]) QueueStart(ctx context.Context, cfg *store.QueueConfig) error {
	return s.queue.start(ctx, cfg)
}

func (s *Store[TTx]) QueueStop(ctx context.Context) error {
	return s.queue.stop(ctx)
}

// tx implements store.Tx on an open backend transaction.
type tx[TTx any] struct {
	*queries

	native BackendTx[TTx]
	queue  *queue[TTx]
}

func (t *tx[TTx]) JobInsert(ctx context.Context, params *store.JobInsertParams) error {
	if err := t.queue.insertTx(ctx, t.native.Native(), params); err != nil {
		return fmt.Errorf("job insert: %w", t.interpret(err))
	}
	return nil
}
