package sqlstore

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"

	"github.com/kilnhq/kiln/internal/store"
)

// River settings that are not QueueConfig's to choose.
const (
	// jobMaxAttempts keeps River's own retry (with its backoff) for a
	// WorkFunc that returns an error.
	jobMaxAttempts = 25

	// jobRescueAfter is how long a job may stay running before River's
	// rescuer retries it. The engine's lease reaper is what recovers an
	// operation after a crash; a rescued duplicate is harmless because the
	// engine fences on its lease.
	jobRescueAfter = time.Minute

	// jobTimeout -1 never cancels a job's context: the engine enforces its
	// own timeouts.
	jobTimeout = -1

	// queueStopCancelTimeout bounds how long stop waits for jobs to return
	// after their contexts were cancelled.
	queueStopCancelTimeout = 5 * time.Second
)

// QueueConfig defaults, as documented on store.QueueConfig.
const (
	fetchCooldownDefault     = 5 * time.Millisecond
	fetchPollIntervalDefault = 20 * time.Millisecond
	maxWorkersDefault        = 100
)

// operationArgs is the one job kind: run an operation.
type operationArgs struct {
	OperationID string `json:"operation_id"`
}

func (operationArgs) Kind() string { return "kiln_operation" }

type operationWorker struct {
	river.WorkerDefaults[operationArgs]

	workFunc func(ctx context.Context, operationID string) error
}

func (w *operationWorker) Work(ctx context.Context, job *river.Job[operationArgs]) error {
	return w.workFunc(ctx, job.Args.OperationID)
}

// queue owns River's clients. The inserter, created at Open, only inserts
// (it never starts, so a store opened by an admin command runs no River
// maintenance); the worker client is built by start with the QueueConfig,
// because River fixes fetch settings and workers at client construction.
type queue[TTx any] struct {
	driver   riverdriver.Driver[TTx]
	inserter *river.Client[TTx]
	logger   *slog.Logger
	schema   string

	mu     sync.Mutex
	worker *river.Client[TTx] // nil unless started
}

func newQueue[TTx any](driver riverdriver.Driver[TTx], logger *slog.Logger, schema string) (*queue[TTx], error) {
	q := &queue[TTx]{
		driver: driver,
		logger: slog.New(&minLevelHandler{Handler: logger.Handler(), min: slog.LevelWarn}),
		schema: schema,
	}
	workers := river.NewWorkers()
	river.AddWorker(workers, &operationWorker{workFunc: func(context.Context, string) error {
		return errors.New("queue not started")
	}})
	inserter, err := river.NewClient(driver, &river.Config{
		Logger:      q.logger,
		MaxAttempts: jobMaxAttempts,
		Schema:      schema,
		Workers:     workers,
	})
	if err != nil {
		return nil, fmt.Errorf("river client: %w", err)
	}
	q.inserter = inserter
	return q, nil
}

func (q *queue[TTx]) insertTx(ctx context.Context, tx TTx, params *store.JobInsertParams) error {
	_, err := q.inserter.InsertTx(ctx, tx, operationArgs{OperationID: params.OperationID}, &river.InsertOpts{
		ScheduledAt: params.ScheduledAt,
	})
	return err
}

// start builds and starts the worker client. The queue runs until stop,
// whatever happens to ctx afterwards.
func (q *queue[TTx]) start(ctx context.Context, cfg *store.QueueConfig) error {
	if cfg.WorkFunc == nil {
		return errors.New("queue start: WorkFunc is required")
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.worker != nil {
		return errors.New("queue start: already started")
	}
	workers := river.NewWorkers()
	river.AddWorker(workers, &operationWorker{workFunc: cfg.WorkFunc})
	worker, err := river.NewClient(q.driver, &river.Config{
		FetchCooldown:     cmp.Or(cfg.FetchCooldown, fetchCooldownDefault),
		FetchPollInterval: cmp.Or(cfg.FetchPollInterval, fetchPollIntervalDefault),
		JobTimeout:        jobTimeout,
		Logger:            q.logger,
		MaxAttempts:       jobMaxAttempts,
		Queues: map[string]river.QueueConfig{
			river.QueueDefault: {MaxWorkers: cmp.Or(cfg.MaxWorkers, maxWorkersDefault)},
		},
		RescueStuckJobsAfter: jobRescueAfter,
		Schema:               q.schema,
		Workers:              workers,
	})
	if err != nil {
		return fmt.Errorf("queue start: %w", err)
	}
	if err := worker.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("queue start: %w", err)
	}
	q.worker = worker
	return nil
}

// stop stops fetching and waits for running jobs until ctx ends, then
// cancels them.
func (q *queue[TTx]) stop(ctx context.Context) error {
	q.mu.Lock()
	worker := q.worker
	q.worker = nil
	q.mu.Unlock()
	if worker == nil {
		return nil
	}
	if err := worker.Stop(ctx); err != nil {
		if ctx.Err() != nil {
			cancelCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), queueStopCancelTimeout)
			defer cancel()
			_ = worker.StopAndCancel(cancelCtx)
		}
		return fmt.Errorf("queue stop: %w", err)
	}
	return nil
}

// minLevelHandler drops records below min; River logs routine progress at
// Info, which would drown a test's output.
type minLevelHandler struct {
	slog.Handler

	min slog.Level
}

func (h *minLevelHandler) Enabled(ctx context.Context, level slog.Level) bool {
	return level >= h.min && h.Handler.Enabled(ctx, level)
}

func (h *minLevelHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &minLevelHandler{Handler: h.Handler.WithAttrs(attrs), min: h.min}
}

func (h *minLevelHandler) WithGroup(name string) slog.Handler {
	return &minLevelHandler{Handler: h.Handler.WithGroup(name), min: h.min}
}
