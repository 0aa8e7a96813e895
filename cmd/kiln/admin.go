package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/kilnhq/kiln/internal/config"
	"github.com/kilnhq/kiln/internal/identity"
	"github.com/kilnhq/kiln/internal/node"
)

// admin runs `kiln admin <noun> <verb>` against the same data a node uses.
// Output is JSON so scripts can read it.
func admin(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) < 2 {
		return usageError{"admin needs a command: project create|list, user create, key create"}
	}
	cmd := args[0] + " " + args[1]
	cfg := config.Default()
	fs := flag.NewFlagSet("kiln admin "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg.BindStorage(fs)
	var name, description, password, project, role, user, keyType string
	switch cmd {
	case "project create":
		fs.StringVar(&name, "name", "", "project name (required)")
		fs.StringVar(&description, "description", "", "project description")
	case "project list":
	case "user create":
		fs.StringVar(&name, "name", "", "user name (required)")
		fs.StringVar(&password, "password", "", "password (required)")
		fs.StringVar(&project, "project", "", "project name or id to grant the role on (required)")
		fs.StringVar(&role, "role", "member", "role: admin, member or reader")
	case "key create":
		fs.StringVar(&user, "user", "", "user name (required)")
		fs.StringVar(&project, "project", "", "project name or id (required)")
		fs.StringVar(&keyType, "type", "access_key", "access_key (AK/SK pair) or api_key")
		fs.StringVar(&description, "description", "", "what the key is for")
	default:
		return usageError{fmt.Sprintf("unknown admin command %q", cmd)}
	}
	if err := parseFlags(fs, args[2:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("unexpected arguments %q", fs.Args())}
	}
	if err := cfg.Validate(); err != nil {
		return usageError{err.Error()}
	}
	// Check the command line before touching the store, so that a usage
	// error neither creates nor bootstraps a data directory.
	switch {
	case cmd == "project create" && name == "":
		return usageError{"--name is required"}
	case cmd == "user create" && (name == "" || password == "" || project == ""):
		return usageError{"--name, --password and --project are required"}
	case cmd == "key create" && (user == "" || project == ""):
		return usageError{"--user and --project are required"}
	case cmd == "key create" && keyType != "access_key" && keyType != "api_key":
		return usageError{"--type must be access_key or api_key"}
	}
	st, lock, err := node.OpenStore(ctx, cfg, nil)
	if err != nil {
		return err
	}
	defer func() {
		_ = st.Close()
		if lock != nil {
			lock.Close()
		}
	}()
	id := identity.New(&identity.Config{Store: st})
	// Make sure the default domain, roles and admin exist (an existing
	// admin password is kept).
	boot, err := id.Bootstrap(ctx, &identity.BootstrapConfig{})
	if err != nil {
		return err
	}
	if boot.GeneratedPassword != "" {
		fmt.Fprintf(stderr, "kiln: this store was empty; generated admin password (shown once): %s\n", boot.GeneratedPassword)
	}

	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	switch cmd {
	case "project create":
		p, err := id.CreateProject(ctx, &identity.CreateProjectRequest{Name: name, Description: description})
		if err != nil {
			return err
		}
		return enc.Encode(projectJSON(p))
	case "project list":
		ps, err := id.ListProjects(ctx, "")
		if err != nil {
			return err
		}
		out := make([]map[string]any, len(ps))
		for i, p := range ps {
			out[i] = projectJSON(p)
		}
		return enc.Encode(map[string]any{"projects": out})
	case "user create":
		p, err := findProject(ctx, id, project)
		if err != nil {
			return err
		}
		u, err := id.CreateUser(ctx, &identity.CreateUserRequest{Name: name, Password: password, ProjectID: p.ID, Roles: []string{role}})
		if err != nil {
			return err
		}
		return enc.Encode(map[string]any{"id": u.ID, "name": u.Name, "domain_id": u.DomainID, "project_id": p.ID, "roles": []string{role}})
	case "key create":
		p, err := findProject(ctx, id, project)
		if err != nil {
			return err
		}
		u, err := id.GetUserByName(ctx, identity.DefaultDomainID, user)
		if err != nil {
			return err
		}
		switch keyType {
		case "access_key":
			c, err := id.CreateAccessKey(ctx, &identity.CreateAccessKeyRequest{Description: description, ProjectID: p.ID, UserID: u.ID})
			if err != nil {
				return err
			}
			return enc.Encode(map[string]any{"type": "access_key", "id": c.ID, "access_key": c.Access, "secret_key": c.Secret,
				"user_id": u.ID, "project_id": p.ID, "created_at": c.CreatedAt.Format(time.RFC3339)})
		case "api_key":
			k, err := id.CreateAPIKey(ctx, &identity.CreateAPIKeyRequest{Description: description, ProjectID: p.ID, UserID: u.ID})
			if err != nil {
				return err
			}
			return enc.Encode(map[string]any{"type": "api_key", "id": k.Credential.ID, "api_key": k.Key,
				"user_id": u.ID, "project_id": p.ID, "created_at": k.Credential.CreatedAt.Format(time.RFC3339)})
		default: // checked above
			return usageError{"--type must be access_key or api_key"}
		}
	}
	return nil
}

func projectJSON(p *identity.Project) map[string]any {
	return map[string]any{"id": p.ID, "name": p.Name, "description": p.Description, "domain_id": p.DomainID, "enabled": p.Enabled}
}

// findProject resolves a project by id, then by name in the default domain.
func findProject(ctx context.Context, id *identity.Service, nameOrID string) (*identity.Project, error) {
	if p, err := id.GetProject(ctx, nameOrID); err == nil {
		return p, nil
	}
	ps, err := id.ListProjects(ctx, identity.DefaultDomainID)
	if err != nil {
		return nil, err
	}
	for _, p := range ps {
		if p.Name == nameOrID {
			return p, nil
		}
	}
	return nil, fmt.Errorf("project %q not found", nameOrID)
}
