package stacks_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kilnhq/kiln/internal/engine"
	"github.com/kilnhq/kiln/internal/stacks"
)

func TestSoftwareConfigsAndDeployments(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	c, err := b.svc.CreateSoftwareConfig(ctx, &stacks.SoftwareConfig{ProjectID: project, Name: "cfg", Group: "script",
		Config: "#!/bin/sh\necho hi", Inputs: []any{map[string]any{"name": "foo"}}})
	require.NoError(t, err)
	got, err := b.svc.GetSoftwareConfig(ctx, project, c.ID)
	require.NoError(t, err)
	require.Equal(t, "script", got.Group)
	_, err = b.svc.GetSoftwareConfig(ctx, "22222222222222222222222222222222", c.ID)
	require.Equal(t, engine.KindNotFound, engine.KindOf(err), "other projects do not see it")

	_, err = b.svc.CreateSoftwareDeployment(ctx, &stacks.SoftwareDeployment{ProjectID: project, ConfigID: "missing", ServerID: "s1"})
	require.Equal(t, engine.KindNotFound, engine.KindOf(err))
	d, err := b.svc.CreateSoftwareDeployment(ctx, &stacks.SoftwareDeployment{ProjectID: project, ConfigID: c.ID, ServerID: "s1",
		Action: "ACTION0", InputValues: map[string]any{"foo": "bar"}})
	require.NoError(t, err)
	md, err := b.svc.SoftwareDeploymentMetadata(ctx, project, "s1")
	require.NoError(t, err)
	require.Len(t, md, 1)
	require.Equal(t, "script", md[0]["group"])
	require.Equal(t, []any{map[string]any{"name": "foo", "type": "String", "value": "bar"}}, md[0]["inputs"], "inputs normalised as Heat's InputConfig")

	action, status := "ACTION1", "COMPLETE"
	u, err := b.svc.UpdateSoftwareDeployment(ctx, project, d.ID, &stacks.SoftwareDeploymentUpdate{Action: &action, Status: &status})
	require.NoError(t, err)
	require.Equal(t, "ACTION1", u.Action)
	require.NotNil(t, u.UpdatedAt)

	list, err := b.svc.ListSoftwareDeployments(ctx, project, "")
	require.NoError(t, err)
	require.Len(t, list, 1)
	configs, err := b.svc.ListSoftwareConfigs(ctx, project, 0, "")
	require.NoError(t, err)
	require.Len(t, configs, 1)

	require.NoError(t, b.svc.DeleteSoftwareDeployment(ctx, project, d.ID))
	require.NoError(t, b.svc.DeleteSoftwareConfig(ctx, project, c.ID))
	_, err = b.svc.GetSoftwareDeployment(ctx, project, d.ID)
	require.Equal(t, engine.KindNotFound, engine.KindOf(err))
	require.Equal(t, engine.KindNotFound, engine.KindOf(b.svc.DeleteSoftwareConfig(ctx, project, c.ID)))
	stacksList, err := b.svc.ListStacks(ctx, &stacks.ListParams{ProjectID: project})
	require.NoError(t, err)
	require.Empty(t, stacksList, "configs are not stacks")
}
