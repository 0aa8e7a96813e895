package config

import (
	"flag"
	"io"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// serveEnv lists every environment twin BindServe reads.
var serveEnv = []string{
	"KILN_DATA", "KILN_DATABASE_URL", "KILN_LEASE_TTL", "KILN_LISTEN", "KILN_LOG_FORMAT",
	"KILN_LOG_LEVEL", "KILN_PUBLIC_URL", "KILN_REGION", "KILN_TOKEN_TTL",
}

func TestValidate(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name string
		// modify changes a valid default Config.
		modify func(c *Config)
		// wantErr is the whole error; empty means Validate passes.
		wantErr string
		// check looks at the Config after a successful Validate.
		check func(t *testing.T, c *Config)
	}{
		{
			name: "Defaults",
			check: func(t *testing.T, c *Config) {
				require.Equal(t, "http://127.0.0.1:8004", c.PublicURL)
			},
		},
		{
			name:    "AccessKeyWithoutSecretKey",
			modify:  func(c *Config) { c.AdminAccessKey = "AKIDEXAMPLE" },
			wantErr: "config: KILN_ADMIN_ACCESS_KEY and KILN_ADMIN_SECRET_KEY must be set together",
		},
		{
			name: "AccessKeyWithSecretKey",
			modify: func(c *Config) {
				c.AdminAccessKey, c.AdminSecretKey = "AKIDEXAMPLE", "secret"
			},
		},
		{
			name:    "AdminProjectIDTooShort",
			modify:  func(c *Config) { c.AdminProjectID = "3191ed366402414bb8c3ae98a9decee" },
			wantErr: "config: KILN_ADMIN_PROJECT_ID must be 32 lowercase hex characters",
		},
		{
			name:    "AdminProjectIDUppercase",
			modify:  func(c *Config) { c.AdminProjectID = "3191ED366402414BB8C3AE98A9DECEE9" },
			wantErr: "config: KILN_ADMIN_PROJECT_ID must be 32 lowercase hex characters",
		},
		{
			name:    "AdminProjectIDUUIDWithDashes",
			modify:  func(c *Config) { c.AdminProjectID = "3191ed36-6402-414b-b8c3-ae98a9decee9" },
			wantErr: "config: KILN_ADMIN_PROJECT_ID must be 32 lowercase hex characters",
		},
		{
			name:   "AdminProjectIDValid",
			modify: func(c *Config) { c.AdminProjectID = "3191ed366402414bb8c3ae98a9decee9" },
		},
		{
			name:    "DataEmptyWithoutDatabase",
			modify:  func(c *Config) { c.Data = "" },
			wantErr: "config: --data must not be empty",
		},
		{
			name:   "DataEmptyWithDatabase",
			modify: func(c *Config) { c.Data, c.DatabaseURL = "", "postgres://kiln@db/kiln" },
		},
		{
			name:    "DatabaseMySQL",
			modify:  func(c *Config) { c.DatabaseURL = "mysql://kiln@db/kiln" },
			wantErr: "config: --database must be a postgres:// URL",
		},
		{
			name:    "DatabaseNotAURL",
			modify:  func(c *Config) { c.DatabaseURL = "://nope" },
			wantErr: "config: --database must be a postgres:// URL",
		},
		{
			name:    "DatabaseKeywordString",
			modify:  func(c *Config) { c.DatabaseURL = "host=db user=kiln" },
			wantErr: "config: --database must be a postgres:// URL",
		},
		{
			name:   "DatabasePostgresql",
			modify: func(c *Config) { c.DatabaseURL = "postgresql://kiln@db:5432/kiln?sslmode=disable" },
		},
		{
			name:    "LeaseTTLTooShort",
			modify:  func(c *Config) { c.LeaseTTL = 99 * time.Millisecond },
			wantErr: "config: --lease-ttl must be at least 100ms",
		},
		{
			name:    "ListenNoPort",
			modify:  func(c *Config) { c.Listen = "127.0.0.1" },
			wantErr: `config: --listen "127.0.0.1": address 127.0.0.1: missing port in address`,
		},
		{
			name:    "ListenTooManyColons",
			modify:  func(c *Config) { c.Listen = "::1:8004" },
			wantErr: `config: --listen "::1:8004": address ::1:8004: too many colons in address`,
		},
		{
			name:   "ListenIPv6",
			modify: func(c *Config) { c.Listen = "[::1]:9000" },
			check: func(t *testing.T, c *Config) {
				require.Equal(t, "http://[::1]:9000", c.PublicURL)
			},
		},
		{
			name:    "LogFormatUnknown",
			modify:  func(c *Config) { c.LogFormat = "logfmt" },
			wantErr: "config: --log-format must be text or json",
		},
		{
			name:   "LogFormatJSON",
			modify: func(c *Config) { c.LogFormat = "json" },
		},
		{
			name:    "LogLevelUnknown",
			modify:  func(c *Config) { c.LogLevel = "loud" },
			wantErr: "config: --log-level must be debug, info, warn or error",
		},
		{
			name:    "LogLevelUppercase",
			modify:  func(c *Config) { c.LogLevel = "DEBUG" },
			wantErr: "config: --log-level must be debug, info, warn or error",
		},
		{
			name:   "LogLevelWarn",
			modify: func(c *Config) { c.LogLevel = "warn" },
		},
		{
			name:   "PublicURLDerivedFromListen",
			modify: func(c *Config) { c.Listen = "10.0.0.7:8443" },
			check: func(t *testing.T, c *Config) {
				require.Equal(t, "http://10.0.0.7:8443", c.PublicURL)
			},
		},
		{
			name:    "PublicURLNoHost",
			modify:  func(c *Config) { c.PublicURL = "http:///v3" },
			wantErr: `config: --public-url "http:///v3" must be an http(s) URL`,
		},
		{
			name:    "PublicURLNoScheme",
			modify:  func(c *Config) { c.PublicURL = "kiln.example.com:8004" },
			wantErr: `config: --public-url "kiln.example.com:8004" must be an http(s) URL`,
		},
		{
			name:    "PublicURLWrongScheme",
			modify:  func(c *Config) { c.PublicURL = "ftp://kiln.example.com" },
			wantErr: `config: --public-url "ftp://kiln.example.com" must be an http(s) URL`,
		},
		{
			name:   "PublicURLTrailingSlashesTrimmed",
			modify: func(c *Config) { c.PublicURL = "https://kiln.example.com/cloud//" },
			check: func(t *testing.T, c *Config) {
				require.Equal(t, "https://kiln.example.com/cloud", c.PublicURL)
			},
		},
		{
			name:   "PublicURLWinsOverListen",
			modify: func(c *Config) { c.Listen, c.PublicURL = "0.0.0.0:8004", "https://kiln.example.com/" },
			check: func(t *testing.T, c *Config) {
				require.Equal(t, "https://kiln.example.com", c.PublicURL)
			},
		},
		{
			name:    "RegionEmpty",
			modify:  func(c *Config) { c.Region = "" },
			wantErr: "config: --region must not be empty",
		},
		{
			name:    "TokenTTLTooShort",
			modify:  func(c *Config) { c.TokenTTL = 999 * time.Millisecond },
			wantErr: "config: --token-ttl must be at least 1s",
		},
		{
			name:   "TokenTTLOneSecond",
			modify: func(c *Config) { c.TokenTTL = time.Second },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := Default()
			if tt.modify != nil {
				tt.modify(c)
			}
			err := c.Validate()
			if tt.wantErr != "" {
				require.EqualError(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			if tt.check != nil {
				tt.check(t, c)
			}
		})
	}
}

func TestValidateIsIdempotent(t *testing.T) {
	t.Parallel()

	c := Default()
	c.PublicURL = "https://kiln.example.com/"
	require.NoError(t, c.Validate())
	require.NoError(t, c.Validate())
	require.Equal(t, "https://kiln.example.com", c.PublicURL)
}

func TestBindServeFlags(t *testing.T) {
	t.Parallel()

	type testBundle struct {
		cfg *Config
		fs  *flag.FlagSet
	}
	// setup binds a default Config. It must not depend on the
	// environment, so every test here passes each flag it checks.
	setup := func(t *testing.T) *testBundle {
		t.Helper()
		cfg := Default()
		fs := flag.NewFlagSet("kiln serve", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		cfg.BindServe(fs)
		return &testBundle{cfg: cfg, fs: fs}
	}

	t.Run("AllFlags", func(t *testing.T) {
		t.Parallel()
		bundle := setup(t)
		require.NoError(t, bundle.fs.Parse([]string{
			"--data", "/var/lib/kiln", "--database", "postgres://kiln@db/kiln", "--lease-ttl", "7s",
			"--listen", "0.0.0.0:9000", "--log-format", "json", "--log-level", "debug",
			"--public-url", "https://kiln.example.com/", "--region", "eu-west-0", "--token-ttl", "2h",
		}))
		require.NoError(t, bundle.cfg.Validate())
		require.Equal(t, "/var/lib/kiln", bundle.cfg.Data)
		require.Equal(t, "postgres://kiln@db/kiln", bundle.cfg.DatabaseURL)
		require.Equal(t, 7*time.Second, bundle.cfg.LeaseTTL)
		require.Equal(t, "0.0.0.0:9000", bundle.cfg.Listen)
		require.Equal(t, "json", bundle.cfg.LogFormat)
		require.Equal(t, "debug", bundle.cfg.LogLevel)
		require.Equal(t, "https://kiln.example.com", bundle.cfg.PublicURL)
		require.Equal(t, "eu-west-0", bundle.cfg.Region)
		require.Equal(t, 2*time.Hour, bundle.cfg.TokenTTL)
	})

	t.Run("BadDurationFlag", func(t *testing.T) {
		t.Parallel()
		bundle := setup(t)
		err := bundle.fs.Parse([]string{"--token-ttl", "forever"})
		require.ErrorContains(t, err, `invalid value "forever" for flag -token-ttl`)
	})

	t.Run("StorageFlagsOnly", func(t *testing.T) {
		t.Parallel()
		cfg := Default()
		fs := flag.NewFlagSet("kiln admin", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		cfg.BindStorage(fs)
		require.NotNil(t, fs.Lookup("data"))
		require.NotNil(t, fs.Lookup("database"))
		require.Nil(t, fs.Lookup("listen"))
	})
}

// The tests below change the process environment with t.Setenv, which
// forbids t.Parallel in them and in their parents.

// unsetEnv removes names from the environment for the test and restores
// them after it.
func unsetEnv(t *testing.T, names ...string) {
	t.Helper()
	for _, name := range names {
		t.Setenv(name, "") // records the old value for cleanup
		require.NoError(t, os.Unsetenv(name))
	}
}

func TestBindServeEnv(t *testing.T) { //nolint:paralleltest // t.Setenv
	type testBundle struct {
		cfg *Config
		fs  *flag.FlagSet
	}
	setup := func(t *testing.T, env map[string]string) *testBundle {
		t.Helper()
		unsetEnv(t, serveEnv...)
		for k, v := range env {
			t.Setenv(k, v)
		}
		cfg := Default()
		fs := flag.NewFlagSet("kiln serve", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		cfg.BindServe(fs)
		return &testBundle{cfg: cfg, fs: fs}
	}

	t.Run("DefaultsWithoutEnv", func(t *testing.T) {
		bundle := setup(t, nil)
		require.NoError(t, bundle.fs.Parse(nil))
		require.NoError(t, bundle.cfg.Validate())
		want := Default()
		want.PublicURL = "http://" + want.Listen
		require.Equal(t, want, bundle.cfg)
	})

	t.Run("EnvBeatsDefault", func(t *testing.T) {
		bundle := setup(t, map[string]string{
			"KILN_DATA": "/srv/kiln", "KILN_DATABASE_URL": "postgres://kiln@db/kiln", "KILN_LEASE_TTL": "3s",
			"KILN_LISTEN": "127.0.0.1:9100", "KILN_LOG_FORMAT": "json", "KILN_LOG_LEVEL": "warn",
			"KILN_PUBLIC_URL": "https://kiln.example.com/", "KILN_REGION": "eu-de", "KILN_TOKEN_TTL": "90m",
		})
		require.NoError(t, bundle.fs.Parse(nil))
		require.NoError(t, bundle.cfg.Validate())
		require.Equal(t, "/srv/kiln", bundle.cfg.Data)
		require.Equal(t, "postgres://kiln@db/kiln", bundle.cfg.DatabaseURL)
		require.Equal(t, 3*time.Second, bundle.cfg.LeaseTTL)
		require.Equal(t, "127.0.0.1:9100", bundle.cfg.Listen)
		require.Equal(t, "json", bundle.cfg.LogFormat)
		require.Equal(t, "warn", bundle.cfg.LogLevel)
		require.Equal(t, "https://kiln.example.com", bundle.cfg.PublicURL)
		require.Equal(t, "eu-de", bundle.cfg.Region)
		require.Equal(t, 90*time.Minute, bundle.cfg.TokenTTL)
	})

	t.Run("FlagBeatsEnv", func(t *testing.T) {
		bundle := setup(t, map[string]string{
			"KILN_LEASE_TTL": "3s", "KILN_LISTEN": "127.0.0.1:9100", "KILN_LOG_LEVEL": "warn",
			"KILN_REGION": "eu-de", "KILN_TOKEN_TTL": "90m",
		})
		require.NoError(t, bundle.fs.Parse([]string{
			"--lease-ttl", "4s", "--listen", "127.0.0.1:9200", "--log-level", "error",
			"--region", "us-east", "--token-ttl", "2h",
		}))
		require.NoError(t, bundle.cfg.Validate())
		require.Equal(t, 4*time.Second, bundle.cfg.LeaseTTL)
		require.Equal(t, "127.0.0.1:9200", bundle.cfg.Listen)
		require.Equal(t, "http://127.0.0.1:9200", bundle.cfg.PublicURL)
		require.Equal(t, "error", bundle.cfg.LogLevel)
		require.Equal(t, "us-east", bundle.cfg.Region)
		require.Equal(t, 2*time.Hour, bundle.cfg.TokenTTL)
	})

	t.Run("EmptyEnvIsAValue", func(t *testing.T) {
		// A twin set to "" overrides the default, as LookupEnv sees it set.
		bundle := setup(t, map[string]string{"KILN_REGION": ""})
		require.NoError(t, bundle.fs.Parse(nil))
		require.EqualError(t, bundle.cfg.Validate(), "config: --region must not be empty")
	})

	t.Run("EnvValueFailsValidate", func(t *testing.T) {
		bundle := setup(t, map[string]string{"KILN_LOG_FORMAT": "xml"})
		require.NoError(t, bundle.fs.Parse(nil))
		require.EqualError(t, bundle.cfg.Validate(), "config: --log-format must be text or json")
	})

	tests := []struct {
		name    string
		env     map[string]string
		wantErr string
	}{
		{
			name:    "LeaseTTLNotADuration",
			env:     map[string]string{"KILN_LEASE_TTL": "5"},
			wantErr: `config: KILN_LEASE_TTL="5" is not a duration (e.g. 30s, 1h)`,
		},
		{
			name:    "TokenTTLNotADuration",
			env:     map[string]string{"KILN_TOKEN_TTL": "one hour"},
			wantErr: `config: KILN_TOKEN_TTL="one hour" is not a duration (e.g. 30s, 1h)`,
		},
		{
			name:    "FirstBadTwinReported",
			env:     map[string]string{"KILN_LEASE_TTL": "x", "KILN_TOKEN_TTL": "y"},
			wantErr: `config: KILN_TOKEN_TTL="y" is not a duration (e.g. 30s, 1h)`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bundle := setup(t, tt.env)
			require.NoError(t, bundle.fs.Parse(nil))
			require.EqualError(t, bundle.cfg.Validate(), tt.wantErr)
		})
	}
}

func TestLoadAdminEnv(t *testing.T) { //nolint:paralleltest // t.Setenv
	t.Run("AllSet", func(t *testing.T) {
		t.Setenv("KILN_ADMIN_ACCESS_KEY", "AKIDEXAMPLE")
		t.Setenv("KILN_ADMIN_API_KEY", "api-key")
		t.Setenv("KILN_ADMIN_PASSWORD", "pw")
		t.Setenv("KILN_ADMIN_PROJECT_ID", "3191ed366402414bb8c3ae98a9decee9")
		t.Setenv("KILN_ADMIN_SECRET_KEY", "secret")
		c := Default()
		c.LoadAdminEnv()
		require.NoError(t, c.Validate())
		require.Equal(t, "AKIDEXAMPLE", c.AdminAccessKey)
		require.Equal(t, "api-key", c.AdminAPIKey)
		require.Equal(t, "pw", c.AdminPassword)
		require.Equal(t, "3191ed366402414bb8c3ae98a9decee9", c.AdminProjectID)
		require.Equal(t, "secret", c.AdminSecretKey)
	})

	t.Run("BadProjectID", func(t *testing.T) {
		unsetEnv(t, "KILN_ADMIN_ACCESS_KEY", "KILN_ADMIN_SECRET_KEY")
		t.Setenv("KILN_ADMIN_PROJECT_ID", "admin")
		c := Default()
		c.LoadAdminEnv()
		require.EqualError(t, c.Validate(), "config: KILN_ADMIN_PROJECT_ID must be 32 lowercase hex characters")
	})

	t.Run("SecretKeyWithoutAccessKey", func(t *testing.T) {
		unsetEnv(t, "KILN_ADMIN_ACCESS_KEY", "KILN_ADMIN_PROJECT_ID")
		t.Setenv("KILN_ADMIN_SECRET_KEY", "secret")
		c := Default()
		c.LoadAdminEnv()
		require.EqualError(t, c.Validate(), "config: KILN_ADMIN_ACCESS_KEY and KILN_ADMIN_SECRET_KEY must be set together")
	})
}
