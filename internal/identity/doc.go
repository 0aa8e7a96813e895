// Package identity decides who is calling Kiln and what they may do: it owns
// domains, projects, users, roles, role assignments, passwords, tokens,
// access key pairs and API keys, and the policy that maps a principal and an
// action to allow or deny. It speaks no HTTP; each API dialect turns its own
// credentials (Keystone tokens, AK/SK signatures, ECE API keys, basic auth)
// into a call here and renders the answer on its wire.
//
// # Model
//
// A Domain holds projects and users; Kiln creates one, "Default" with id
// "default", at bootstrap and every name is unique within its domain. A
// Project is the tenant: every engine object belongs to exactly one. A User
// holds roles on projects through role assignments. There are three roles,
// ordered by what they allow:
//
//	reader  read objects of the project
//	member  reader + create, change and delete objects of the project
//	admin   member + admin actions, some of which reach across projects
//
// Ids are 32 lowercase hex characters, like Keystone's.
//
// A Principal is the answer of every authentication path (password, token,
// access key, API key): the user, the project it is scoped to (empty when
// unscoped), the roles it holds there, and how and until when it was
// authenticated. Authorize(principal, action, projectID) is the only policy
// decision; it is a pure function over a table of actions (see policy.go).
//
// # Credentials
//
// Passwords are stored as argon2id hashes in the PHC string format
// ($argon2id$v=19$m=19456,t=2,p=1$salt$hash; OWASP's recommended minimum)
// and compared in constant time. An unknown user and a wrong password take
// the same path, including one hash computation, so the answer and its
// timing do not reveal which users exist. At most GOMAXPROCS hashes run at
// once, which bounds the memory password checks can take (19 MiB each).
//
// Tokens are opaque: "kiln_tok_" followed by 32 random bytes in base64url.
// Only their SHA-256 is stored, so a database dump holds no usable token. A
// token carries the user, the scope, the methods that proved the identity,
// an expiry (Config.TokenTTL after issue; a token made from another token
// keeps the original expiry, so re-scoping never extends a session) and an
// audit id (22 characters of base64url, as Keystone's). Validation re-reads
// the user, project and roles on every call, so disabling a user or project,
// or removing a role, takes effect at once; revocation too.
//
// Access key pairs (AK/SK) are for request signatures (Huawei SDK-HMAC-SHA256,
// Alibaba HMAC): signature checks need the secret itself, so it is stored as
// given and handed out only by CredentialByAccessKey. API keys ("kiln_key_"
// + 32 random bytes, or any string the operator bootstraps) are shown once at
// creation; the store keeps their SHA-256 only, and a key is found by an
// access id derived from that hash.
//
// # Bootstrap
//
// Bootstrap runs at every start and is idempotent: it creates what is
// missing (domain, roles, admin project, admin user and its roles, the
// configured access key pair and API key) and changes only what the
// configuration changed (the admin password, the bootstrap-managed keys).
// Concurrent nodes starting on one PostgreSQL database may race; a lost race
// is retried and converges on the winner's rows.
//
// # Errors and concurrency
//
// Every error is an *engine.Error: KindUnauthenticated for any credential
// that does not prove an identity (the message never says which part was
// wrong), KindForbidden for a policy denial, KindNotFound, KindInvalid and
// KindConflict for the admin helpers, KindUnavailable when the store was
// busy and nothing was written. A Service is safe for concurrent use.
//
// # Limits
//
// No domain-scoped or system-scoped tokens, no groups, no trusts, no
// application credentials, no password expiry or lockout. Audit ids of
// re-scoped tokens are not chained (the store keeps one audit id per token).
package identity
