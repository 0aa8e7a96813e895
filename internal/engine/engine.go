package engine

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/kilnhq/kiln/internal/store"
)

// Config configures an Engine. Zero values pick the documented defaults.
type Config struct {
	// FetchPollInterval is how often idle workers look for due jobs when
	// nothing tells them about new ones (SQLite has no LISTEN/NOTIFY, and
	// River does not wake its fetcher for jobs inserted in a transaction).
	// It bounds the latency from a signal to the woken operation. Zero
	// leaves the store's default.
	FetchPollInterval time.Duration

	// HeartbeatInterval is how often a running operation's lease is
	// renewed. Default LeaseTTL/3.
	HeartbeatInterval time.Duration

	// LeaseTTL is how long a lease lives without a heartbeat; after a crash
	// on a shared database another node resumes the work this long after the
	// last heartbeat at most. Default 5 s.
	LeaseTTL time.Duration

	Logger *slog.Logger

	// MaxWorkers bounds how many operations this node runs at once.
	// Default 100.
	MaxWorkers int

	// NodeID names this process in leases. Default: random.
	NodeID string

	// NowFunc is the clock. Default time.Now.
	NowFunc func() time.Time

	// ReapInterval is how often the reaper looks for operations whose
	// worker died. Default 1 s.
	ReapInterval time.Duration

	// Registerer receives the engine's Prometheus metrics. Nil: none.
	Registerer prometheus.Registerer

	// RetryBaseDelay is the first retry delay of an operation whose handler
	// failed with KindUnavailable; it doubles per attempt up to 1 minute.
	// Default 1 s.
	RetryBaseDelay time.Duration

	// SingleNode says no other process uses the store (embedded SQLite with
	// a locked data directory). Then leases left by a previous process are
	// broken at Start and their operations resume at once.
	SingleNode bool

	Store store.Store
}

// Engine runs operations and keeps resources, events and signals.
type Engine struct {
	cfg      Config
	handlers map[string]Handler
	logger   *slog.Logger
	metrics  *metrics
	store    store.Store

	stopping atomic.Bool // Stop was called: take no new work

	// Direct dispatch (see dispatch.go).
	dispatchCtx    context.Context
	dispatchCancel context.CancelFunc
	dispatchSem    chan struct{}
	dispatchWG     sync.WaitGroup
	timersMu       sync.Mutex
	timers         map[*time.Timer]struct{}

	localMu sync.Mutex
	local   map[string]context.CancelCauseFunc // running handlers on this node

	mu      sync.Mutex
	started bool
	stop    context.CancelFunc
	done    chan struct{}

	// recovered is when the reaper last gave each pending operation a
	// new job (used by reapLoop's goroutine only).
	recovered map[string]time.Time
}

// New builds an Engine; register handlers before Start.
func New(cfg *Config) *Engine {
	c := *cfg
	if c.Store == nil {
		panic("engine: Config.Store is required")
	}
	if c.LeaseTTL <= 0 {
		c.LeaseTTL = 5 * time.Second
	}
	if c.HeartbeatInterval <= 0 {
		c.HeartbeatInterval = c.LeaseTTL / 3
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.MaxWorkers <= 0 {
		c.MaxWorkers = 100
	}
	if c.NodeID == "" {
		c.NodeID = "node-" + NewID()[:12]
	}
	if c.NowFunc == nil {
		c.NowFunc = time.Now
	}
	if c.ReapInterval <= 0 {
		c.ReapInterval = time.Second
	}
	if c.RetryBaseDelay <= 0 {
		c.RetryBaseDelay = time.Second
	}
	e := &Engine{cfg: c, handlers: map[string]Handler{}, logger: c.Logger, store: c.Store}
	e.metrics = newMetrics(c.Registerer)
	return e
}

// Register installs the handler for an operation type. It panics when
// called twice for a type or after Start: wiring errors are programmer
// errors.
func (e *Engine) Register(opType string, h Handler) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.started {
		panic("engine: Register after Start")
	}
	if _, ok := e.handlers[opType]; ok {
		panic(fmt.Sprintf("engine: handler for %q registered twice", opType))
	}
	e.handlers[opType] = h
}

// Start recovers operations left by a dead process (SingleNode), starts the
// queue's workers and the reaper. It returns once workers run.
func (e *Engine) Start(ctx context.Context) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.started {
		return nil
	}
	if e.cfg.SingleNode {
		if err := e.breakStaleLeases(ctx); err != nil {
			return err
		}
	}
	if err := e.store.QueueStart(ctx, &store.QueueConfig{
		FetchCooldown: min(e.cfg.FetchPollInterval, 5*time.Millisecond), FetchPollInterval: e.cfg.FetchPollInterval,
		MaxWorkers: e.cfg.MaxWorkers, WorkFunc: e.work,
	}); err != nil {
		return FromStore("engine.start", err)
	}
	loopCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	e.stop, e.done, e.started = cancel, make(chan struct{}), true
	e.dispatchCtx, e.dispatchCancel = context.WithCancel(context.WithoutCancel(ctx))
	e.dispatchSem = make(chan struct{}, e.cfg.MaxWorkers)
	if err := e.dispatchDue(ctx); err != nil {
		e.logger.WarnContext(ctx, "dispatch of due operations at start", "err", err)
	}
	go e.reapLoop(loopCtx)
	return nil
}

// Stop stops the reaper and the queue. Running handlers are interrupted and
// their operations handed back (pending, with a job) to resume from their
// last checkpoint elsewhere or after restart; Stop waits for that until
// ctx ends.
func (e *Engine) Stop(ctx context.Context) error {
	e.mu.Lock()
	if !e.started {
		e.mu.Unlock()
		return nil
	}
	e.started = false
	e.stopping.Store(true)
	e.stop()
	done := e.done
	e.mu.Unlock()
	<-done
	// Interrupt running handlers: each hands its operation back (pending,
	// lease released, with a job) so that it resumes from its checkpoint
	// on another node or after restart, instead of holding shutdown up.
	e.stopDispatch()
	e.cancelAllLocal(errShutdown)
	e.dispatchWG.Wait()
	err := e.store.QueueStop(ctx)
	e.stopping.Store(false)
	return FromStore("engine.stop", err)
}

// Store returns the engine's store, for wiring only (identity shares it).
func (e *Engine) Store() store.Store { return e.store }

// Now returns the engine's clock reading, in UTC to the microsecond.
func (e *Engine) Now() time.Time { return e.cfg.NowFunc().UTC().Truncate(time.Microsecond) }

// Tx is one engine transaction: resource, event, operation and signal
// writes made through it commit together. Inside Run.Step it is also
// fenced on the operation's lease.
type Tx struct {
	e      *Engine
	events int
	jobs   []store.JobInsertParams // enqueued in this transaction
	now    time.Time
	run    *Run
	st     store.Tx

	checkpoint []byte
	result     []byte
}

// InTx runs fn in one transaction.
func (e *Engine) InTx(ctx context.Context, fn func(ctx context.Context, tx *Tx) error) error {
	return e.inTx(ctx, nil, fn)
}

func (e *Engine) inTx(ctx context.Context, run *Run, fn func(ctx context.Context, tx *Tx) error) error {
	var events int
	var jobs []store.JobInsertParams
	err := e.store.InTx(ctx, func(ctx context.Context, st store.Tx) error {
		tx := &Tx{e: e, now: e.Now(), run: run, st: st}
		if err := fn(ctx, tx); err != nil {
			return err
		}
		if run != nil {
			if err := run.commitStep(ctx, tx); err != nil {
				return err
			}
		}
		events, jobs = tx.events, tx.jobs
		return nil
	})
	if err != nil {
		return FromStore("engine.tx", err)
	}
	e.metrics.events.Add(float64(events))
	for _, j := range jobs {
		e.dispatch(j.OperationID, j.ScheduledAt)
	}
	return nil
}

// enqueue inserts the job that runs an operation (at a time, or now when
// at is zero) and notes it, so that after commit this node also runs it
// directly (see dispatch).
func (tx *Tx) enqueue(ctx context.Context, opID string, at time.Time) error {
	p := store.JobInsertParams{OperationID: opID, ScheduledAt: at}
	if err := tx.st.JobInsert(ctx, &p); err != nil {
		return err
	}
	tx.jobs = append(tx.jobs, p)
	return nil
}

// Now is the transaction's timestamp.
func (tx *Tx) Now() time.Time { return tx.now }

// NewID returns 32 lowercase hex characters, Keystone's id form.
func NewID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// NewUUID returns a random UUID in its dashed form, Heat's id form.
func NewUUID() string { return uuid.NewString() }

type metrics struct {
	events     prometheus.Counter
	operations *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		events: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "kiln_events_written_total", Help: "Events appended to the event log.",
		}),
		operations: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kiln_operations_total", Help: "Operation state changes by operation type and new state.",
		}, []string{"type", "state"}),
	}
	if reg != nil {
		reg.MustRegister(m.events, m.operations)
	}
	return m
}
