package hot

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kilnhq/kiln/internal/engine"
)

// fakeContext is a Context over fixed values.
type fakeContext struct {
	attrs      map[string]map[string]any
	conditions map[string]bool
	files      map[string]string
	ids        map[string]any
	params     map[string]any
}

func (f *fakeContext) Param(name string) (any, bool) {
	v, ok := f.params[name]
	return v, ok
}

func (f *fakeContext) ResourceID(name string) (any, error) {
	v, ok := f.ids[name]
	if !ok {
		return nil, fmt.Errorf("The specified reference \"%s\" (in unknown) is incorrect.", name)
	}
	return v, nil
}

func (f *fakeContext) Attribute(resource string, path []any) (any, error) {
	attrs, ok := f.attrs[resource]
	if !ok {
		return nil, fmt.Errorf("The specified reference \"%s\" (in unknown) is incorrect.", resource)
	}
	if len(path) == 0 {
		return attrs, nil
	}
	name, _ := path[0].(string)
	return SelectAttribute(attrs[name], path[1:]), nil
}

func (f *fakeContext) File(name string) (string, bool) {
	v, ok := f.files[name]
	return v, ok
}

func (f *fakeContext) Condition(name string) (bool, error) {
	v, ok := f.conditions[name]
	if !ok {
		return false, fmt.Errorf("Invalid condition \"%s\"", name)
	}
	return v, nil
}

// requireHeatError checks that err is an *engine.Error of KindInvalid with
// Heat's code and message.
func requireHeatError(t *testing.T, err error, code, msg string) {
	t.Helper()
	require.Error(t, err)
	var e *engine.Error
	require.True(t, errors.As(err, &e), "not an *engine.Error: %v", err)
	require.Equal(t, engine.KindInvalid, e.Kind)
	require.Equal(t, msg, e.Msg)
	require.Equal(t, code, e.Code)
}

// mustParse parses a template or fails the test.
func mustParse(t *testing.T, doc string) *Template {
	t.Helper()
	tmpl, err := Parse([]byte(doc))
	require.NoError(t, err)
	return tmpl
}
