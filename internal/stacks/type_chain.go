package stacks

import (
	"context"
	"fmt"
	"strconv"

	"github.com/kilnhq/kiln/internal/engine"
)

// resourceChainType is OS::Heat::ResourceChain: a nested stack of one
// resource per type listed, members "0", "1", ... each depending on the
// one before unless concurrent. Its attributes are a resource group's
// (refs, refs_map, attributes, resource.<n>[.<attr>], any other name as
// the list over the members).
type resourceChainType struct{ resourceGroupType }

func (t *resourceChainType) Schema() *TypeSchema {
	return &TypeSchema{
		Name: "OS::Heat::ResourceChain", ClassName: "ResourceChain", Version: "6.0.0", AnyAttributes: true,
		Description: "Creates one or more resources with the same configuration.\n\n" +
			"The types of resources to be created are passed into the chain through the\n" +
			"``resources`` property. One resource will be created for each type listed.\n" +
			"Each is passed the configuration specified under ``resource_properties``.\n\n" +
			"The ``concurrent`` property controls if the resources will be created\n" +
			"concurrently. If omitted or set to false, each resource will be treated as\n" +
			"having a dependency on the resource before it in the list.",
		Properties: map[string]PropertySchema{
			"resources": {Type: "list", Required: true, UpdateAllowed: true,
				Description: "The list of resource types to create. This list may contain type names or aliases defined in the resource registry. Specific template names are not supported.",
				Schema:      map[string]PropertySchema{"*": {Type: "string"}}},
			"concurrent": {Type: "boolean", Default: false, UpdateAllowed: true,
				Description: "If true, the resources in the chain will be created concurrently. If false or omitted, each resource will be treated as having a dependency on the previous resource in the list."},
			"resource_properties": {Type: "map", Default: map[string]any{}, UpdateAllowed: true,
				Description: "Properties to pass to each resource being created in the chain."},
		},
		Attributes: map[string]AttributeSchema{
			"refs":       {Type: "list", Description: "A list of resource IDs for the resources in the chain."},
			"attributes": {Description: "A map of resource names to the specified attribute of each individual resource."},
		},
	}
}

// validateInPlan checks every member type through the stack's
// environment and files.
func (t *resourceChainType) validateInPlan(pl *plan, resourceName string, props map[string]any) error {
	list, _ := props["resources"].([]any)
	for _, typ := range list {
		if err := t.s.checkMemberType(pl, resourceName, map[string]any{"type": typ}); err != nil {
			return err
		}
	}
	return nil
}

func (t *resourceChainType) spec(ctx context.Context, rc *RC) (*childSpec, []string, error) {
	list, _ := rc.Properties["resources"].([]any)
	props, _ := rc.Properties["resource_properties"].(map[string]any)
	concurrent := pyTruthy(rc.Properties["concurrent"])
	resources := map[string]any{}
	names := make([]string, len(list))
	for i, typ := range list {
		name := strconv.Itoa(i)
		names[i] = name
		m := map[string]any{"type": fmt.Sprint(typ)}
		if len(props) > 0 {
			m["properties"] = props
		}
		if i > 0 && !concurrent {
			m["depends_on"] = []any{strconv.Itoa(i - 1)}
		}
		resources[name] = m
	}
	spec := &childSpec{Template: mustJSON(map[string]any{"heat_template_version": "2015-04-30", "resources": resources})}
	return spec, names, nestedBase{s: t.s}.parentSpec(ctx, rc, spec)
}

func (t *resourceChainType) Create(ctx context.Context, rc *RC) (*Outcome, error) {
	spec, names, err := t.spec(ctx, rc)
	if err != nil {
		return nil, err
	}
	out, err := t.s.ensureChild(ctx, rc, spec)
	if err != nil {
		return nil, err
	}
	out.Data = withData(out.Data, "names", toAnyList(names), "removed", []any{})
	return t.settled(ctx, rc, out)
}

func (t *resourceChainType) Update(ctx context.Context, rc *RC, _ map[string]any) (*Outcome, error) {
	return t.Create(ctx, rc)
}

func (t *resourceChainType) Check(ctx context.Context, rc *RC) (*Outcome, error) {
	if dataString(rc.Data, "action") == string(engine.ActionDelete) {
		out, err := t.s.checkChild(ctx, rc)
		if err != nil {
			return nil, err
		}
		return t.settled(ctx, rc, out)
	}
	return t.Create(ctx, rc)
}
