package identity

import (
	"context"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"

	"github.com/kilnhq/kiln/internal/engine"
)

// Argon2id parameters for new password hashes: OWASP's first recommended
// configuration (19 MiB, 2 passes, 1 lane). One hash takes 18-22 ms on one
// core of the reference machine (2-core AMD EPYC), so a node issues 50-90
// tokens by password a second (BenchmarkTokenIssue); tokens, not passwords,
// carry the request rate. Stored hashes carry their own parameters, so
// these can be raised later; VerifyPassword reports when a hash should be
// redone and a successful login redoes it.
const (
	kdfMemoryKiB = 19 * 1024
	kdfTime      = 2
	kdfThreads   = 1
	kdfSaltLen   = 16
	kdfKeyLen    = 32

	// Bounds on parameters accepted from a stored hash, so a corrupt row
	// cannot make a check allocate gigabytes or spin for minutes.
	kdfMaxMemoryKiB = 1 << 20
	kdfMaxTime      = 16
	kdfMaxThreads   = 16

	// maxPasswordLen bounds the input hashed (Keystone: 4096).
	maxPasswordLen = 4096
)

var errMalformedHash = errors.New("malformed password hash")

// kdfParams are argon2id cost parameters.
type kdfParams struct {
	memory  uint32
	time    uint32
	threads uint8
}

var currentKDF = kdfParams{memory: kdfMemoryKiB, time: kdfTime, threads: kdfThreads}

// HashPassword returns the PHC string of an argon2id hash of password with
// a fresh random salt, e.g.
// $argon2id$v=19$m=19456,t=2,p=1$<salt b64>$<hash b64>.
func HashPassword(password string) (string, error) {
	if len(password) > maxPasswordLen {
		return "", engine.Invalid("password.hash", "password is longer than %d bytes", maxPasswordLen)
	}
	return hashWith(currentKDF, randomBytes(kdfSaltLen), password), nil
}

func hashWith(p kdfParams, salt []byte, password string) string {
	key := argon2.IDKey([]byte(password), salt, p.time, p.memory, p.threads, kdfKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version,
		p.memory, p.time, p.threads,
		base64.RawStdEncoding.EncodeToString(salt),
		base64.RawStdEncoding.EncodeToString(key))
}

// VerifyPassword reports whether password matches the PHC string encoded,
// comparing in constant time, and whether the hash uses parameters other
// than the current ones (then the caller may store a fresh hash).
func VerifyPassword(encoded, password string) (ok, outdated bool, err error) {
	p, salt, want, err := parseHash(encoded)
	if err != nil {
		return false, false, err
	}
	if len(password) > maxPasswordLen {
		return false, false, nil
	}
	got := argon2.IDKey([]byte(password), salt, p.time, p.memory, p.threads, uint32(len(want)))
	ok = subtle.ConstantTimeCompare(got, want) == 1
	return ok, p != currentKDF || len(salt) != kdfSaltLen || len(want) != kdfKeyLen, nil
}

func parseHash(encoded string) (p kdfParams, salt, key []byte, err error) {
	// "", "argon2id", "v=19", "m=..,t=..,p=..", salt, key
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, nil, nil, errMalformedHash
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return p, nil, nil, errMalformedHash
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.memory, &p.time, &p.threads); err != nil {
		return p, nil, nil, errMalformedHash
	}
	if p.memory < 8*uint32(p.threads) || p.memory > kdfMaxMemoryKiB ||
		p.time < 1 || p.time > kdfMaxTime || p.threads < 1 || p.threads > kdfMaxThreads {
		return p, nil, nil, errMalformedHash
	}
	salt, err = base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil || len(salt) < 8 {
		return p, nil, nil, errMalformedHash
	}
	key, err = base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil || len(key) < 16 {
		return p, nil, nil, errMalformedHash
	}
	return p, salt, key, nil
}

// acquireKDF waits for a hashing slot; it fails only when ctx ends.
func (s *Service) acquireKDF(ctx context.Context) (release func(), err error) {
	select {
	case s.kdfSlots <- struct{}{}:
		return func() { <-s.kdfSlots }, nil
	case <-ctx.Done():
		return nil, &engine.Error{Kind: engine.KindUnavailable, Op: "password.verify",
			Msg: "request cancelled", Err: ctx.Err()}
	}
}

// hashPassword hashes under the concurrency bound.
func (s *Service) hashPassword(ctx context.Context, password string) (string, error) {
	release, err := s.acquireKDF(ctx)
	if err != nil {
		return "", err
	}
	defer release()
	return HashPassword(password)
}

// checkPassword verifies password against encoded under the concurrency
// bound. An empty encoded (unknown user, user without password) is checked
// against a dummy hash so that the work, and so the timing, is the same;
// it never matches.
func (s *Service) checkPassword(ctx context.Context, encoded, password string) (ok, outdated bool, err error) {
	release, err := s.acquireKDF(ctx)
	if err != nil {
		return false, false, err
	}
	defer release()
	if encoded == "" {
		_, _, _ = VerifyPassword(s.dummyHash, password)
		return false, false, nil
	}
	ok, outdated, err = VerifyPassword(encoded, password)
	if err != nil {
		s.logger.ErrorContext(ctx, "stored password hash is unreadable", "error", err)
		return false, false, nil
	}
	return ok, outdated, nil
}

// newDummyHash returns a well-formed hash with the current parameters whose
// key is random bytes: checking any password against it costs one full
// argon2id computation and never matches.
func newDummyHash() string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version,
		currentKDF.memory, currentKDF.time, currentKDF.threads,
		base64.RawStdEncoding.EncodeToString(randomBytes(kdfSaltLen)),
		base64.RawStdEncoding.EncodeToString(randomBytes(kdfKeyLen)))
}
