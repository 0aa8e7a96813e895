package stacks_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kilnhq/kiln/internal/stacks"
)

const yaqlTemplate = `
heat_template_version: 2016-10-14
parameters:
  names:
    type: string
    default: "web,db,web"
resources:
  test:
    type: OS::Heat::TestResource
    properties:
      value: {get_param: names}
outputs:
  unique_upper:
    value:
      yaql:
        expression: $.data.names.split(',').distinct().select($.toUpper()).join(',')
        data:
          names: {get_attr: [test, output]}
  counts:
    value:
      yaql:
        expression: $.data.split(',').groupBy($).toDict($[0], $[1].len())
        data: {get_attr: [test, output]}
`

func TestStackYaqlOutput(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	s, err := b.svc.CreateStack(ctx, &stacks.CreateParams{Caller: stacks.Caller{ProjectID: project}, Name: "yaql",
		Template: []byte(yaqlTemplate)})
	require.NoError(t, err)
	done := waitStatus(t, b, s.Ref(), "CREATE_COMPLETE")
	outputs := map[string]any{}
	for _, o := range done.Outputs {
		require.Empty(t, o.Error, o.Key)
		outputs[o.Key] = o.Value
	}
	require.Equal(t, "WEB,DB", outputs["unique_upper"])
	require.Equal(t, map[string]any{"web": 2.0, "db": 1.0}, outputs["counts"]) // outputs are stored as JSON
}
