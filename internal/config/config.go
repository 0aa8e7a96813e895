// Package config holds a Kiln node's settings: their defaults, their
// command-line flags and environment twins (a flag wins over its twin,
// the twin over the default), and their validation. It reads nothing
// else: no files, no network.
package config

import (
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Config is a node's settings.
type Config struct {
	// Admin bootstrap, from the environment only (secrets stay out of ps).
	AdminAccessKey string // KILN_ADMIN_ACCESS_KEY
	AdminAPIKey    string // KILN_ADMIN_API_KEY
	AdminPassword  string // KILN_ADMIN_PASSWORD
	AdminProjectID string // KILN_ADMIN_PROJECT_ID
	AdminSecretKey string // KILN_ADMIN_SECRET_KEY

	Data        string // --data / KILN_DATA: SQLite directory
	DatabaseURL string // --database / KILN_DATABASE_URL: postgres:// URL
	// HeatEnableExport answers Heat's GET .../export (Heat's
	// enable_stack_abandon, for export only; --heat-enable-export /
	// KILN_HEAT_ENABLE_EXPORT). Default false, as Heat.
	HeatEnableExport bool
	LeaseTTL         time.Duration // --lease-ttl / KILN_LEASE_TTL
	Listen           string        // --listen / KILN_LISTEN
	LogFormat        string        // --log-format / KILN_LOG_FORMAT: text or json
	LogLevel         string        // --log-level / KILN_LOG_LEVEL: debug, info, warn, error
	// MaxResourcesPerStack bounds a stack template's resources
	// (--max-resources-per-stack / KILN_MAX_RESOURCES_PER_STACK).
	MaxResourcesPerStack int
	// MaxEventsPerStack is Heat's max_events_per_stack
	// (--max-events-per-stack / KILN_MAX_EVENTS_PER_STACK); 0 keeps all.
	MaxEventsPerStack int
	PublicURL         string        // --public-url / KILN_PUBLIC_URL
	Region            string        // --region / KILN_REGION
	TokenTTL          time.Duration // --token-ttl / KILN_TOKEN_TTL

	envErrs []error // environment twins that did not parse
}

// Default returns the documented defaults.
func Default() *Config {
	return &Config{
		Data:                 "./kiln-data",
		LeaseTTL:             5 * time.Second,
		Listen:               "127.0.0.1:8004",
		LogFormat:            "text",
		LogLevel:             "info",
		MaxEventsPerStack:    1000,
		MaxResourcesPerStack: 1000,
		Region:               "local",
		TokenTTL:             time.Hour,
	}
}

// Storage flags are shared by serve and the admin commands.

// BindStorage adds --data and --database to fs.
func (c *Config) BindStorage(fs *flag.FlagSet) {
	fs.StringVar(&c.Data, "data", env("KILN_DATA", c.Data), "directory of the embedded SQLite database (env KILN_DATA)")
	fs.StringVar(&c.DatabaseURL, "database", env("KILN_DATABASE_URL", c.DatabaseURL), "postgres:// URL; when set, SQLite is not used (env KILN_DATABASE_URL)")
}

// BindServe adds the serve flags (and the storage ones) to fs.
func (c *Config) BindServe(fs *flag.FlagSet) {
	c.BindStorage(fs)
	fs.StringVar(&c.Listen, "listen", env("KILN_LISTEN", c.Listen), "address to listen on (env KILN_LISTEN)")
	fs.StringVar(&c.Region, "region", env("KILN_REGION", c.Region), "the region this node serves (env KILN_REGION)")
	fs.StringVar(&c.PublicURL, "public-url", env("KILN_PUBLIC_URL", c.PublicURL), "base URL written into links and the catalog; default http://<listen> (env KILN_PUBLIC_URL)")
	fs.StringVar(&c.LogLevel, "log-level", env("KILN_LOG_LEVEL", c.LogLevel), "debug, info, warn or error (env KILN_LOG_LEVEL)")
	fs.StringVar(&c.LogFormat, "log-format", env("KILN_LOG_FORMAT", c.LogFormat), "text or json (env KILN_LOG_FORMAT)")
	fs.DurationVar(&c.TokenTTL, "token-ttl", c.envDuration("KILN_TOKEN_TTL", c.TokenTTL), "lifetime of issued tokens (env KILN_TOKEN_TTL)")
	fs.IntVar(&c.MaxEventsPerStack, "max-events-per-stack", c.envInt("KILN_MAX_EVENTS_PER_STACK", c.MaxEventsPerStack), "events kept per stack; over it the oldest are purged, 200 at a time (0: keep all; env KILN_MAX_EVENTS_PER_STACK)")
	fs.IntVar(&c.MaxResourcesPerStack, "max-resources-per-stack", c.envInt("KILN_MAX_RESOURCES_PER_STACK", c.MaxResourcesPerStack), "most resources one stack template may have (env KILN_MAX_RESOURCES_PER_STACK)")
	fs.BoolVar(&c.HeatEnableExport, "heat-enable-export", c.envBool("KILN_HEAT_ENABLE_EXPORT", c.HeatEnableExport), "answer Heat's GET .../export (Heat's enable_stack_abandon, export only; env KILN_HEAT_ENABLE_EXPORT)")
	fs.DurationVar(&c.LeaseTTL, "lease-ttl", c.envDuration("KILN_LEASE_TTL", c.LeaseTTL), "operation lease lifetime; a dead node's work resumes elsewhere after this (env KILN_LEASE_TTL)")
}

// LoadAdminEnv reads the bootstrap variables.
func (c *Config) LoadAdminEnv() {
	c.AdminAccessKey = os.Getenv("KILN_ADMIN_ACCESS_KEY")
	c.AdminAPIKey = os.Getenv("KILN_ADMIN_API_KEY")
	c.AdminPassword = os.Getenv("KILN_ADMIN_PASSWORD")
	c.AdminProjectID = os.Getenv("KILN_ADMIN_PROJECT_ID")
	c.AdminSecretKey = os.Getenv("KILN_ADMIN_SECRET_KEY")
}

var hex32 = regexp.MustCompile(`^[0-9a-f]{32}$`)

// Validate checks the settings and fills PublicURL from Listen when unset.
func (c *Config) Validate() error {
	if len(c.envErrs) > 0 {
		return c.envErrs[0]
	}
	if c.DatabaseURL != "" {
		u, err := url.Parse(c.DatabaseURL)
		if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
			return fmt.Errorf("config: --database must be a postgres:// URL")
		}
	} else if c.Data == "" {
		return fmt.Errorf("config: --data must not be empty")
	}
	if c.Listen != "" {
		if _, _, err := net.SplitHostPort(c.Listen); err != nil {
			return fmt.Errorf("config: --listen %q: %v", c.Listen, err)
		}
	}
	if c.PublicURL == "" {
		c.PublicURL = "http://" + c.Listen
	}
	u, err := url.Parse(c.PublicURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("config: --public-url %q must be an http(s) URL", c.PublicURL)
	}
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	if c.Region == "" {
		return fmt.Errorf("config: --region must not be empty")
	}
	if c.TokenTTL < time.Second {
		return fmt.Errorf("config: --token-ttl must be at least 1s")
	}
	if c.MaxEventsPerStack < 0 {
		return fmt.Errorf("config: --max-events-per-stack must not be negative")
	}
	if c.MaxResourcesPerStack < 1 {
		return fmt.Errorf("config: --max-resources-per-stack must be at least 1")
	}
	if c.LeaseTTL < 100*time.Millisecond {
		return fmt.Errorf("config: --lease-ttl must be at least 100ms")
	}
	if c.AdminProjectID != "" && !hex32.MatchString(c.AdminProjectID) {
		return fmt.Errorf("config: KILN_ADMIN_PROJECT_ID must be 32 lowercase hex characters")
	}
	if (c.AdminAccessKey == "") != (c.AdminSecretKey == "") {
		return fmt.Errorf("config: KILN_ADMIN_ACCESS_KEY and KILN_ADMIN_SECRET_KEY must be set together")
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("config: --log-level must be debug, info, warn or error")
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return fmt.Errorf("config: --log-format must be text or json")
	}
	return nil
}

func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return def
}

func (c *Config) envBool(name string, def bool) bool {
	if v, ok := os.LookupEnv(name); ok {
		b, err := strconv.ParseBool(v)
		if err != nil {
			c.envErrs = append(c.envErrs, fmt.Errorf("config: %s=%q is not a boolean", name, v))
			return def
		}
		return b
	}
	return def
}

func (c *Config) envInt(name string, def int) int {
	if v, ok := os.LookupEnv(name); ok {
		n, err := strconv.Atoi(v)
		if err != nil {
			c.envErrs = append(c.envErrs, fmt.Errorf("config: %s=%q is not an integer", name, v))
			return def
		}
		return n
	}
	return def
}

func (c *Config) envDuration(name string, def time.Duration) time.Duration {
	if v, ok := os.LookupEnv(name); ok {
		d, err := time.ParseDuration(v)
		if err != nil {
			c.envErrs = append(c.envErrs, fmt.Errorf("config: %s=%q is not a duration (e.g. 30s, 1h)", name, v))
			return def
		}
		return d
	}
	return def
}
