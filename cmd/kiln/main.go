// Command kiln is the Kiln orchestration control plane: one binary that
// serves every dialect (kiln serve), administers its data (kiln admin) and
// measures itself (kiln bench).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

const usage = `kiln — orchestration control plane

Usage:
  kiln serve [flags]          run a node (kiln serve -h lists the flags)
  kiln admin <command> [...]  manage projects, users and keys on the same data
  kiln version                print the version

Admin commands:
  kiln admin project create --name NAME [--description TEXT]
  kiln admin project list
  kiln admin user create --name NAME --password PASS --project NAME_OR_ID [--role member]
  kiln admin key create --user NAME --project NAME_OR_ID [--type access_key|api_key] [--description TEXT]
`

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "serve":
		err = serve(ctx, args[1:], stdout, stderr)
	case "admin":
		err = admin(ctx, args[1:], stdout, stderr)
	case "version", "--version", "-version":
		fmt.Fprintf(stdout, "kiln %s\n", version)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
	default:
		fmt.Fprintf(stderr, "kiln: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		var u usageError
		if errors.As(err, &u) {
			fmt.Fprintf(stderr, "kiln: %v\n", err)
			return 2
		}
		fmt.Fprintf(stderr, "kiln: %v\n", err)
		return 1
	}
	return 0
}

// usageError is a mistake in the command line (exit status 2).
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// parseFlags parses args into fs. A flag that is unknown or does not parse
// is a usageError (the flag package has already printed it with the
// flags' usage); -h and --help give flag.ErrHelp (exit status 0).
func parseFlags(fs *flag.FlagSet, args []string) error {
	err := fs.Parse(args)
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return err
	}
	return usageError{err.Error()}
}
