package sqlstore

import (
	"encoding/json"
	"math"
	"time"
)

// Column encodings shared by both databases: timestamps are BIGINT unix
// microseconds read back in UTC, JSON is TEXT (an empty or nil value is
// NULL), and a zero limit means no limit.

func micros(t time.Time) int64 { return t.UnixMicro() }

// microsArg encodes an optional timestamp; nil is NULL.
func microsArg(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UnixMicro()
}

func fromMicros(v int64) time.Time { return time.UnixMicro(v).UTC() }

func fromMicrosPtr(v *int64) *time.Time {
	if v == nil {
		return nil
	}
	t := fromMicros(*v)
	return &t
}

// jsonArg encodes raw JSON as TEXT. It is passed as a string, never as
// []byte, so SQLite stores TEXT and PostgreSQL does not see bytea.
func jsonArg(v json.RawMessage) any {
	if len(v) == 0 {
		return nil
	}
	return string(v)
}

func fromJSON(v *string) json.RawMessage {
	if v == nil {
		return nil
	}
	return json.RawMessage(*v)
}

// limitArg turns "0 means no limit" into a bound both databases accept.
func limitArg(limit int) int64 {
	if limit <= 0 {
		return math.MaxInt64
	}
	return int64(limit)
}
