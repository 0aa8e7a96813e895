package stacks

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/kilnhq/kiln/internal/engine"
)

// resourceGroupType is OS::Heat::ResourceGroup: count copies of one
// resource definition, members "0", "1", ... of a nested stack.
type resourceGroupType struct{ s *Service }

func (t *resourceGroupType) Schema() *TypeSchema {
	return &TypeSchema{
		Name: "OS::Heat::ResourceGroup", ClassName: "ResourceGroup", Version: "2014.1",
		Description: "Creates one or more identically configured nested resources.\n\n" +
			"In addition to the `refs` attribute, this resource implements synthetic\n" +
			"attributes that mirror those of the resources in the group. When\n" +
			"getting an attribute from this resource, however, a list of attribute\n" +
			"values for each resource in the group is returned. To get attribute values\n" +
			"for a single resource in the group, synthetic attributes of the form\n" +
			"`resource.{resource index}.{attribute name}` can be used. The resource ID\n" +
			"of a particular resource in the group can be obtained via the synthetic\n" +
			"attribute `resource.{resource index}`. Note, that if you get attribute\n" +
			"without `{resource index}`, e.g. `[resource, {attribute_name}]`, you'll get\n" +
			"a list of this attribute's value for all resources in group.",
		AnyAttributes: true,
		Properties: map[string]PropertySchema{
			"count": {Type: "integer", Default: float64(1), UpdateAllowed: true,
				Description: "The number of resources to create.",
				Constraints: []Constraint{{Range: &Range{Min: ptrFloat(0)}}}},
			"index_var": {Type: "string", Default: "%index%", UpdateAllowed: true,
				Description: "A variable that this resource will use to replace with the current index of a given resource in the group. Can be used, for example, to customize the name property of grouped servers in order to differentiate them when listed with nova client.",
				Constraints: []Constraint{{Length: &Range{Min: ptrFloat(3)}}}},
			"resource_def": {Type: "map", Required: true, UpdateAllowed: true,
				Description: "Resource definition for the resources in the group. The value of this property is the definition of a resource just as if it had been declared in the template itself.",
				Schema: map[string]PropertySchema{
					"type":       {Type: "string", Required: true, Description: "The type of the resources in the group."},
					"properties": {Type: "map", Description: "Property values for the resources in the group."},
					"metadata":   {Type: "map", Description: "Supplied metadata for the resources in the group."},
				}},
			"removal_policies": {Type: "list", Default: []any{}, UpdateAllowed: true,
				Description: "Policies for removal of resources on update.",
				Schema: map[string]PropertySchema{"*": {Type: "map", Description: "Policy to be processed when doing an update which requires removal of specific resources.",
					Schema: map[string]PropertySchema{"resource_list": {Type: "list", Default: []any{},
						Description: "List of resources to be removed when doing an update which requires removal of specific resources. The resource may be specified several ways: (1) The resource name, as in the nested stack, (2) The resource reference returned from get_resource in a template, as available via the 'refs' attribute. Note this is destructive on update when specified; even if the count is not being reduced, and once a resource name is removed, its name is never reused in subsequent updates."}}}}},
			"removal_policies_mode": {Type: "string", Default: "append", UpdateAllowed: true,
				Description: "How to handle changes to removal_policies on update. The default \"append\" mode appends to the internal list, \"update\" replaces it on update.",
				Constraints: []Constraint{{AllowedValues: []any{"append", "update"}}}},
		},
		Attributes: map[string]AttributeSchema{
			"refs":              {Type: "list", Description: "A list of resource IDs for the resources in the group."},
			"refs_map":          {Type: "map", Description: "A map of resource names to IDs for the resources in the group."},
			"attributes":        {Description: "A map of resource names to the specified attribute of each individual resource. Requires heat_template_version: 2014-10-16."},
			"removed_rsrc_list": {Type: "list", Description: "A list of removed resource names."},
		},
	}
}

// validateInPlan checks the member type through the stack's environment
// and files, as the nested stack will resolve it.
func (t *resourceGroupType) validateInPlan(pl *plan, resourceName string, props map[string]any) error {
	def, _ := props["resource_def"].(map[string]any)
	return t.s.checkMemberType(pl, resourceName, def)
}

func ptrFloat(f float64) *float64 { return &f }

// members works out the member names: the ones kept from before (minus
// those a removal policy names, highest index dropped first when
// shrinking), then new ones from "0" up, never reusing a removed name.
func groupMembers(rc *RC) (names, removed []string) {
	prev := dataStrings(rc.Data, "names")
	refs, _ := rc.Data["refs_map"].(map[string]any)
	gone := map[string]bool{}
	if dataString(rc.Properties, "removal_policies_mode") != "update" {
		if l, ok := rc.Data["removed"].([]any); ok {
			for _, x := range l {
				if s, ok := x.(string); ok {
					gone[s] = true
				}
			}
		}
	}
	pols, _ := rc.Properties["removal_policies"].([]any)
	for _, p := range pols {
		pm, _ := p.(map[string]any)
		list, _ := pm["resource_list"].([]any)
		for _, x := range list {
			key := fmt.Sprint(x)
			for _, n := range prev {
				if n == key || fmt.Sprint(refs[n]) == key {
					gone[n] = true
				}
			}
		}
	}
	count := 1
	if n, ok := numberOf(rc.Properties["count"]); ok {
		count = int(n)
	}
	for _, n := range prev {
		if !gone[n] {
			names = append(names, n)
		}
	}
	sort.Slice(names, func(i, j int) bool { return memberLess(names[i], names[j]) })
	if len(names) > count {
		names = names[:count]
	}
	used := map[string]bool{}
	for _, n := range names {
		used[n] = true
	}
	for i := 0; len(names) < count; i++ {
		n := strconv.Itoa(i)
		if !used[n] && !gone[n] {
			names = append(names, n)
		}
	}
	for n := range gone {
		removed = append(removed, n)
	}
	sort.Slice(removed, func(i, j int) bool { return memberLess(removed[i], removed[j]) })
	return names, removed
}

func memberLess(a, b string) bool {
	x, errx := strconv.Atoi(a)
	y, erry := strconv.Atoi(b)
	if errx == nil && erry == nil {
		return x < y
	}
	return a < b
}

// replaceIndex puts the member name where the index variable appears in
// the definition's strings, as Heat does.
func replaceIndex(v any, indexVar, name string) any {
	switch x := v.(type) {
	case string:
		return strings.ReplaceAll(x, indexVar, name)
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = replaceIndex(e, indexVar, name)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = replaceIndex(e, indexVar, name)
		}
		return out
	}
	return v
}

func (t *resourceGroupType) spec(ctx context.Context, rc *RC) (*childSpec, []string, []string, error) {
	names, removed := groupMembers(rc)
	def, _ := rc.Properties["resource_def"].(map[string]any)
	indexVar := dataString(rc.Properties, "index_var")
	if indexVar == "" {
		indexVar = "%index%"
	}
	resources := map[string]any{}
	for _, n := range names {
		m := map[string]any{"type": def["type"]}
		if p, ok := def["properties"].(map[string]any); ok && p != nil {
			m["properties"] = replaceIndex(p, indexVar, n)
		}
		if md, ok := def["metadata"].(map[string]any); ok && md != nil {
			m["metadata"] = replaceIndex(md, indexVar, n)
		}
		resources[n] = m
	}
	tmpl := map[string]any{"heat_template_version": "2015-04-30", "resources": resources}
	spec := &childSpec{Template: mustJSON(tmpl)}
	return spec, names, removed, nestedBase{s: t.s}.parentSpec(ctx, rc, spec)
}

func (t *resourceGroupType) Create(ctx context.Context, rc *RC) (*Outcome, error) {
	spec, names, removed, err := t.spec(ctx, rc)
	if err != nil {
		return nil, err
	}
	out, err := t.s.ensureChild(ctx, rc, spec)
	if err != nil {
		return nil, err
	}
	out.Data = withData(out.Data, "names", toAnyList(names), "removed", toAnyList(removed))
	return t.settled(ctx, rc, out)
}

func toAnyList(l []string) []any {
	out := make([]any, len(l))
	for i, s := range l {
		out[i] = s
	}
	return out
}

func (t *resourceGroupType) Update(ctx context.Context, rc *RC, _ map[string]any) (*Outcome, error) {
	return t.Create(ctx, rc)
}

func (t *resourceGroupType) Check(ctx context.Context, rc *RC) (*Outcome, error) {
	if dataString(rc.Data, "action") == string(engine.ActionDelete) {
		out, err := t.s.checkChild(ctx, rc)
		if err != nil {
			return nil, err
		}
		return t.settled(ctx, rc, out)
	}
	return t.Create(ctx, rc) // the names kept in Data give the same spec
}

func (t *resourceGroupType) Delete(ctx context.Context, rc *RC) (*Outcome, error) {
	return t.s.deleteChild(ctx, rc)
}

func (t *resourceGroupType) Signal(context.Context, *RC, json.RawMessage) (string, error) {
	return "", ErrNotSignallable
}

// settled records the members' references and attributes once the nested
// stack is done, for refs, refs_map and the synthetic attributes.
func (t *resourceGroupType) settled(ctx context.Context, rc *RC, out *Outcome) (*Outcome, error) {
	if !out.Done || dataString(out.Data, "action") == string(engine.ActionDelete) {
		return out, nil
	}
	refs, refsMap, attrs, err := t.s.members(ctx, rc.Stack.ProjectID, out.PhysicalID, dataStrings(out.Data, "names"))
	if err != nil {
		return nil, err
	}
	removed, _ := out.Data["removed"].([]any)
	if removed == nil {
		removed = []any{}
	}
	out.Data = withData(out.Data, "refs_map", refsMap, "member_attributes", attrs)
	out.Attributes = map[string]any{"refs": refs, "refs_map": refsMap, "removed_rsrc_list": removed}
	return out, nil
}

// dataStrings reads a list of strings kept in a type's Data.
func dataStrings(data map[string]any, key string) []string {
	l, _ := data[key].([]any)
	out := make([]string, 0, len(l))
	for _, x := range l {
		out = append(out, fmt.Sprint(x))
	}
	return out
}

// members reads the members (names, in order) of a settled nested stack:
// their references as a list and by name, and their attributes by name.
func (s *Service) members(ctx context.Context, projectID, stackID string, names []string) ([]any, map[string]any, map[string]any, error) {
	rows, err := s.e.ListResources(ctx, &engine.ResourceListParams{ProjectID: projectID, ParentID: stackID})
	if err != nil {
		return nil, nil, nil, err
	}
	byName := map[string]*engine.Resource{}
	for _, r := range rows {
		byName[r.Name] = r
	}
	refs := []any{}
	refsMap := map[string]any{}
	attrs := map[string]any{}
	for _, n := range names {
		r := byName[n]
		if r == nil {
			continue
		}
		ref, err := s.refOf(r)
		if err != nil {
			return nil, nil, nil, err
		}
		st, _, err := decodeResource(r)
		if err != nil {
			return nil, nil, nil, err
		}
		refs = append(refs, ref)
		refsMap[n] = ref
		a := st.Attributes
		if a == nil {
			a = map[string]any{}
		}
		attrs[n] = a
	}
	return refs, refsMap, attrs, nil
}

// ResolveAttribute answers the group's synthetic attributes from what
// settled recorded: attributes (a map of member to one attribute),
// resource.<n>[.<attr>], and any other name as the list of that
// attribute over the members.
func (t *resourceGroupType) ResolveAttribute(data map[string]any, attrs map[string]any, path []any) (any, bool) {
	if len(path) == 0 {
		return nil, false
	}
	name, _ := path[0].(string)
	if _, ok := attrs[name]; ok && (name == "refs" || name == "refs_map" || name == "removed_rsrc_list") {
		return nil, false // stored: the caller navigates
	}
	names := dataStrings(data, "names")
	members, _ := data["member_attributes"].(map[string]any)
	refs, _ := data["refs_map"].(map[string]any)
	memberAttr := func(n string, p []any) any {
		m, _ := members[n].(map[string]any)
		if len(p) == 0 {
			return nil
		}
		key, _ := p[0].(string)
		return navigate(m[key], p[1:])
	}
	switch {
	case name == "attributes":
		out := map[string]any{}
		for _, n := range names {
			out[n] = memberAttr(n, path[1:])
		}
		return out, true
	case strings.HasPrefix(name, "resource."):
		parts := strings.SplitN(name, ".", 3)
		n := parts[1]
		if len(parts) == 2 {
			if len(path) > 1 {
				return memberAttr(n, path[1:]), true
			}
			return refs[n], true
		}
		return memberAttr(n, append([]any{parts[2]}, path[1:]...)), true
	}
	out := make([]any, 0, len(names))
	for _, n := range names {
		out = append(out, memberAttr(n, path))
	}
	return out, true
}

// refOf is get_resource's answer for a resource row.
func (s *Service) refOf(r *engine.Resource) (any, error) {
	st, props, err := decodeResource(r)
	if err != nil {
		return nil, err
	}
	if typ, ok := s.typeFor(nil, implType(r, st)); ok {
		if ref, ok := typ.(interface{ RefID(*RC) any }); ok {
			return ref.RefID(&RC{Data: st.Data, ID: r.ID, Name: r.Name, PhysicalID: r.PhysicalID, Properties: props}), nil
		}
	}
	return r.PhysicalID, nil
}
