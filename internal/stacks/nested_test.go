package stacks_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kilnhq/kiln/internal/engine"
	"github.com/kilnhq/kiln/internal/engine/enginetest"
	"github.com/kilnhq/kiln/internal/stacks"
)

func createFrom(t *testing.T, b *testBundle, p *stacks.CreateParams) *stacks.Stack {
	t.Helper()
	p.Caller = stacks.Caller{ProjectID: project, UserName: "admin"}
	s, err := b.svc.CreateStack(context.Background(), p)
	require.NoError(t, err)
	return s
}

func outputs(t *testing.T, s *stacks.Stack) map[string]any {
	t.Helper()
	out := map[string]any{}
	for _, o := range s.Outputs {
		require.Empty(t, o.Error, o.Key)
		out[o.Key] = o.Value
	}
	return out
}

const groupTemplate = `
heat_template_version: 2021-04-16
parameters:
  n: {type: number, default: 3}
resources:
  group:
    type: OS::Heat::ResourceGroup
    properties:
      count: {get_param: n}
      resource_def:
        type: OS::Heat::Value
        properties:
          value: member-%index%
outputs:
  refs: {value: {get_attr: [group, refs]}}
  values: {value: {get_attr: [group, value]}}
  one: {value: {get_attr: [group, resource.1.value]}}
  ref1: {value: {get_attr: [group, resource.1]}}
  by_name: {value: {get_attr: [group, attributes, value]}}
  removed: {value: {get_attr: [group, removed_rsrc_list]}}
`

func TestResourceGroup(t *testing.T) {
	for _, be := range enginetest.Backends() {
		t.Run(be.Name, func(t *testing.T) { testResourceGroup(t, setupOn(t, be.Open)) })
	}
}

func testResourceGroup(t *testing.T, b *testBundle) {
	ctx := context.Background()
	s := create(t, b, "grp", groupTemplate)
	got := waitStatus(t, b, s.Ref(), "CREATE_COMPLETE")
	out := outputs(t, got)
	require.Equal(t, []any{"member-0", "member-1", "member-2"}, out["values"])
	require.Equal(t, "member-1", out["one"])
	require.Equal(t, map[string]any{"0": "member-0", "1": "member-1", "2": "member-2"}, out["by_name"])
	require.Len(t, out["refs"], 3)
	require.Equal(t, out["refs"].([]any)[1], out["ref1"])
	require.Equal(t, []any{}, out["removed"])

	// The group's resource links its nested stack, which is hidden from
	// the list unless asked for and names its parent.
	res, err := b.svc.GetResource(ctx, s.Ref(), "group", nil)
	require.NoError(t, err)
	require.NotNil(t, res.NestedStack)
	require.Equal(t, res.PhysicalID, res.NestedStack.ID)
	require.True(t, strings.HasPrefix(res.NestedStack.Name, "grp-group-"), res.NestedStack.Name)
	nested, err := b.svc.GetStack(ctx, *res.NestedStack, true)
	require.NoError(t, err)
	require.Equal(t, s.ID, nested.ParentID)
	list, err := b.svc.ListStacks(ctx, &stacks.ListParams{ProjectID: project})
	require.NoError(t, err)
	require.Len(t, list, 1)
	list, err = b.svc.ListStacks(ctx, &stacks.ListParams{ProjectID: project, ShowNested: true})
	require.NoError(t, err)
	require.Len(t, list, 2)
	// Heat's column filters: the parent (owner_id), the owner's name.
	list, err = b.svc.ListStacks(ctx, &stacks.ListParams{ProjectID: project, ShowNested: true,
		Columns: map[string][]string{"owner_id": {s.ID}}})
	require.NoError(t, err)
	require.Len(t, list, 1)
	require.Equal(t, res.NestedStack.ID, list[0].ID)
	for filter, n := range map[string]int{"username=admin": 2, "username=other": 0, "tenant=" + project: 2,
		"disable_rollback=true": 2, "disable_rollback=False": 0, "timeout_mins=60": 2, "timeout_mins=5": 0} {
		k, v, _ := strings.Cut(filter, "=")
		list, err = b.svc.ListStacks(ctx, &stacks.ListParams{ProjectID: project, ShowNested: true,
			Columns: map[string][]string{k: {v}}})
		require.NoError(t, err)
		require.Len(t, list, n, filter)
	}
	members, err := b.svc.ListResources(ctx, *res.NestedStack, &stacks.ResourceListParams{})
	require.NoError(t, err)
	require.Len(t, members, 3)

	// nested_depth lists the members beside the group, with their parent.
	all, err := b.svc.ListResources(ctx, s.Ref(), &stacks.ResourceListParams{NestedDepth: 1})
	require.NoError(t, err)
	require.Len(t, all, 4)
	for _, r := range all {
		if r.Name != "group" {
			require.Equal(t, "group", r.ParentName)
			require.Equal(t, res.NestedStack.ID, r.Stack.ID)
		}
	}

	// nested_depth lists the nested stack's events too, each under its own
	// stack and linked to the root.
	evs, err := b.svc.ListEvents(ctx, s.Ref(), &stacks.EventListParams{})
	require.NoError(t, err)
	require.Len(t, evs, 4, "stack and group, start and end")
	evs, err = b.svc.ListEvents(ctx, s.Ref(), &stacks.EventListParams{NestedDepth: 1, SortDir: "asc"})
	require.NoError(t, err)
	require.Len(t, evs, 4+2+3*2, "plus the nested stack's and its members'")
	inNested := 0
	for _, e := range evs {
		require.NotNil(t, e.RootStack)
		require.Equal(t, s.ID, e.RootStack.ID)
		if e.Stack.ID == res.NestedStack.ID {
			inNested++
		} else {
			require.Equal(t, s.ID, e.Stack.ID)
		}
	}
	require.Equal(t, 8, inNested)
	require.Equal(t, "grp", evs[0].ResourceName)
	require.Equal(t, "CREATE_IN_PROGRESS", evs[0].Action+"_"+evs[0].Status)
	// As in Heat, the group goes CREATE_IN_PROGRESS before its nested
	// stack starts (they commit together, in that order).
	require.Equal(t, "group", evs[1].ResourceName)
	require.Equal(t, "CREATE_IN_PROGRESS", evs[1].Action+"_"+evs[1].Status)
	require.Equal(t, res.NestedStack.ID, evs[2].Stack.ID)
	require.Equal(t, "CREATE_IN_PROGRESS", evs[2].Action+"_"+evs[2].Status)
	memberEvents, err := b.svc.ListEvents(ctx, s.Ref(), &stacks.EventListParams{NestedDepth: 1, ResourceNames: []string{"1"}})
	require.NoError(t, err)
	require.Len(t, memberEvents, 2)

	// Growing the group keeps the members and adds one.
	require.NoError(t, b.svc.UpdateStack(ctx, &stacks.UpdateParams{Ref: s.Ref(), Existing: true,
		CreateParams: stacks.CreateParams{Caller: stacks.Caller{ProjectID: project}, Parameters: map[string]any{"n": 4}}}))
	got = waitStatus(t, b, s.Ref(), "UPDATE_COMPLETE")
	out = outputs(t, got)
	require.Equal(t, []any{"member-0", "member-1", "member-2", "member-3"}, out["values"])
	after, err := b.svc.GetResource(ctx, s.Ref(), "group", nil)
	require.NoError(t, err)
	require.Equal(t, res.PhysicalID, after.PhysicalID, "the nested stack is updated, not replaced")

	// Suspend and resume go through the nested stack.
	for _, action := range []string{"suspend", "resume", "check"} {
		require.NoError(t, b.svc.ActStack(ctx, s.Ref(), action))
		want := strings.ToUpper(action) + "_COMPLETE"
		waitStatus(t, b, s.Ref(), want)
		inner, err := b.svc.GetStack(ctx, *res.NestedStack, false)
		require.NoError(t, err)
		require.Equal(t, want, inner.Action+"_"+inner.Status)
		members, err := b.svc.ListResources(ctx, *res.NestedStack, &stacks.ResourceListParams{})
		require.NoError(t, err)
		for _, m := range members {
			require.Equal(t, want, m.Action+"_"+m.Status, m.Name)
		}
	}

	// Deleting the stack deletes the nested stack.
	require.NoError(t, b.svc.DeleteStack(ctx, s.Ref()))
	waitStatus(t, b, s.Ref(), "DELETE_COMPLETE")
	gone, err := b.svc.GetStack(ctx, *res.NestedStack, false)
	require.NoError(t, err)
	require.Equal(t, "DELETE_COMPLETE", gone.Action+"_"+gone.Status)
}

const providerChild = `
heat_template_version: 2021-04-16
parameters:
  prefix: {type: string}
  length: {type: number, default: 8}
resources:
  rand:
    type: OS::Heat::RandomString
    properties:
      length: {get_param: length}
outputs:
  word:
    value: {list_join: ["-", [{get_param: prefix}, {get_attr: [rand, value]}]]}
`

func TestTemplateResource(t *testing.T) {
	ctx := context.Background()
	b := setup(t)
	s := createFrom(t, b, &stacks.CreateParams{Name: "prov", Files: map[string]string{"word.yaml": providerChild},
		Environment: []byte(`resource_registry: {"My::Word": word.yaml}`),
		Template: []byte(`
heat_template_version: 2021-04-16
resources:
  direct:
    type: word.yaml
    properties: {prefix: a}
  mapped:
    type: My::Word
    properties: {prefix: b, length: 4}
outputs:
  a: {value: {get_attr: [direct, word]}}
  b: {value: {get_attr: [mapped, word]}}
  ref: {value: {get_resource: mapped}}
`)})
	got := waitStatus(t, b, s.Ref(), "CREATE_COMPLETE")
	out := outputs(t, got)
	require.Regexp(t, `^a-[A-Za-z0-9]{8}$`, out["a"])
	require.Regexp(t, `^b-[A-Za-z0-9]{4}$`, out["b"])
	require.Regexp(t, `^arn:openstack:heat::`+project+`:stacks/prov-mapped-[a-z0-9]{12}/`, out["ref"])

	// A property the template has no parameter for is Heat's error, and
	// nothing is stored.
	_, err := b.svc.CreateStack(ctx, &stacks.CreateParams{Caller: stacks.Caller{ProjectID: project}, Name: "bad",
		Files: map[string]string{"word.yaml": providerChild},
		Template: []byte(`
heat_template_version: 2021-04-16
resources:
  direct:
    type: word.yaml
    properties: {prefix: a, nope: 1}
`)})
	require.Error(t, err)
	require.Contains(t, err.Error(), "nope")
	_, err = b.svc.LookupStack(ctx, project, "bad")
	require.Error(t, err)

	require.NoError(t, b.svc.DeleteStack(ctx, s.Ref()))
	waitStatus(t, b, s.Ref(), "DELETE_COMPLETE")
	list, err := b.svc.ListStacks(ctx, &stacks.ListParams{ProjectID: project, ShowNested: true})
	require.NoError(t, err)
	require.Empty(t, list)
}

func TestNestedFailureAndDepth(t *testing.T) {
	b := setup(t)
	// A failing member fails the group and the stack, naming the cause.
	s := create(t, b, "fails", `
heat_template_version: 2021-04-16
resources:
  group:
    type: OS::Heat::ResourceGroup
    properties:
      count: 2
      resource_def:
        type: OS::Heat::TestResource
        properties: {fail: true}
`)
	got, err := b.svc.GetStack(context.Background(), s.Ref(), false)
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		got, err = b.svc.GetStack(context.Background(), s.Ref(), false)
		return err == nil && got.Status == "FAILED"
	}, 20e9, 5e6)
	require.Equal(t, "CREATE", got.Action)
	require.Regexp(t, `^Resource CREATE failed: Error: resources\.group: fails/group → fails-group-[a-z0-9]{12}/[01]: `+
		`ValueError: resources\.[01]: Test Resource failed [01]$`, got.StatusReason)

	// A failure three levels down: the root's reason names the path to
	// the leaf and the leaf's own reason.
	deep := createFrom(t, b, &stacks.CreateParams{Name: "deep", Files: map[string]string{
		"l1.yaml": "heat_template_version: 2021-04-16\nresources:\n  b: {type: l2.yaml}\n",
		"l2.yaml": "heat_template_version: 2021-04-16\nresources:\n  ok: {type: OS::Heat::None}\n" +
			"  c: {type: OS::Heat::TestResource, properties: {fail: true, value: boom}}\n",
	}, Template: []byte("heat_template_version: 2021-04-16\nresources:\n  a: {type: l1.yaml}\n")})
	require.Eventually(t, func() bool {
		got, err = b.svc.GetStack(context.Background(), deep.Ref(), false)
		return err == nil && got.Status == "FAILED"
	}, 20e9, 5e6)
	require.Regexp(t, `^Resource CREATE failed: Error: resources\.a: deep/a → deep-a-[a-z0-9]{12}/b → `+
		`deep-a-[a-z0-9]{12}-b-[a-z0-9]{12}/c: ValueError: resources\.c: Test Resource failed c$`, got.StatusReason)

	// A template that nests itself stops at Heat's depth limit.
	r := createFrom(t, b, &stacks.CreateParams{Name: "loop", Files: map[string]string{"self.yaml": `
heat_template_version: 2021-04-16
resources:
  again: {type: self.yaml}
`}, Template: []byte(`
heat_template_version: 2021-04-16
resources:
  again: {type: self.yaml}
`)})
	require.Eventually(t, func() bool {
		got, err = b.svc.GetStack(context.Background(), r.Ref(), false)
		return err == nil && got.Status == "FAILED"
	}, 20e9, 5e6)
	require.Contains(t, got.StatusReason, "Recursion depth exceeds 5")
}

func TestRemoteStack(t *testing.T) {
	ctx := context.Background()
	b := setup(t)
	// A template that does not parse is refused at validation: nothing
	// is stored.
	_, err := b.svc.CreateStack(ctx, &stacks.CreateParams{Caller: stacks.Caller{ProjectID: project}, Name: "badremote",
		Template: []byte(`
heat_template_version: 2021-04-16
resources:
  inner:
    type: OS::Heat::Stack
    properties:
      template: "heat_template_version: 1999-01-01"
`)})
	require.Error(t, err)
	require.Contains(t, engine.MessageOf(err), "Failed to validate: : resources.inner: : ")
	_, err = b.svc.LookupStack(ctx, project, "badremote")
	require.Error(t, err)

	s := createFrom(t, b, &stacks.CreateParams{Name: "outer", Files: map[string]string{"inner.yaml": providerChild},
		Template: []byte(`
heat_template_version: 2021-04-16
resources:
  inner:
    type: OS::Heat::Stack
    properties:
      template: {get_file: inner.yaml}
      parameters: {prefix: x}
outputs:
  word: {value: {get_attr: [inner, outputs, word]}}
  name: {value: {get_attr: [inner, stack_name]}}
`)})
	got := waitStatus(t, b, s.Ref(), "CREATE_COMPLETE")
	out := outputs(t, got)
	require.Regexp(t, `^x-`, out["word"])
	// OS::Heat::Stack's stack is a stack of its own: listed, no parent.
	list, err := b.svc.ListStacks(ctx, &stacks.ListParams{ProjectID: project})
	require.NoError(t, err)
	require.Len(t, list, 2)
	for _, st := range list {
		require.Empty(t, st.ParentID)
		if st.ID != s.ID {
			require.Equal(t, out["name"], st.Name)
		}
	}
	require.NoError(t, b.svc.DeleteStack(ctx, s.Ref()))
	waitStatus(t, b, s.Ref(), "DELETE_COMPLETE")
}

// TestMetadataFacadeAndRetain: a resource's template metadata is resolved
// and shown, a handle's metadata carries its signals, a nested stack reads
// its parent resource through resource_facade, and deletion_policy Retain
// keeps what a resource made when the stack goes.
func TestMetadataFacadeAndRetain(t *testing.T) {
	ctx := context.Background()
	b := setup(t)
	s := createFrom(t, b, &stacks.CreateParams{Name: "facade", Parameters: map[string]any{"policy": "Retain"},
		Files: map[string]string{"child.yaml": `
heat_template_version: 2021-04-16
resources:
  leaf: {type: OS::Heat::None}
outputs:
  md: {value: {resource_facade: metadata}}
  dp: {value: {resource_facade: deletion_policy}}
  up: {value: {resource_facade: update_policy}}
`},
		Template: []byte(`
heat_template_version: 2021-04-16
parameters:
  policy: {type: string}
resources:
  rand:
    type: OS::Heat::RandomString
  child:
    type: child.yaml
    deletion_policy: {get_param: policy}
    update_policy: {batch: 2}
    metadata:
      role: web
      token: {get_attr: [rand, value]}
  handle:
    type: OS::Heat::WaitConditionHandle
    metadata: {note: kept}
outputs:
  md: {value: {get_attr: [child, md]}}
  dp: {value: {get_attr: [child, dp]}}
  up: {value: {get_attr: [child, up]}}
  token: {value: {get_attr: [rand, value]}}
`)})
	got := waitStatus(t, b, s.Ref(), "CREATE_COMPLETE")
	out := outputs(t, got)
	require.Equal(t, map[string]any{"role": "web", "token": out["token"]}, out["md"])
	require.Equal(t, "Retain", out["dp"])
	require.Equal(t, map[string]any{"batch": float64(2)}, out["up"])

	md, err := b.svc.ResourceMetadata(ctx, s.Ref(), "child")
	require.NoError(t, err)
	require.Equal(t, map[string]any{"role": "web", "token": out["token"]}, md)
	none, err := b.svc.ResourceMetadata(ctx, s.Ref(), "rand")
	require.NoError(t, err)
	require.Empty(t, none)
	require.NoError(t, b.svc.SignalResource(ctx, s.Ref(), "handle",
		json.RawMessage(`{"status": "SUCCESS", "reason": "ok", "data": "x", "id": "1"}`)))
	md, err = b.svc.ResourceMetadata(ctx, s.Ref(), "handle")
	require.NoError(t, err)
	require.Equal(t, "kept", md["note"])
	require.Equal(t, map[string]any{"data": "x", "reason": "ok", "status": "SUCCESS"}, md["1"])

	child, err := b.svc.GetResource(ctx, s.Ref(), "child", nil)
	require.NoError(t, err)
	require.NotNil(t, child.NestedStack)
	require.NoError(t, b.svc.DeleteStack(ctx, s.Ref()))
	waitStatus(t, b, s.Ref(), "DELETE_COMPLETE")
	kept, err := b.svc.GetStack(ctx, *child.NestedStack, false)
	require.NoError(t, err)
	require.Equal(t, "CREATE_COMPLETE", kept.Action+"_"+kept.Status, "a retained resource's nested stack stays")
}

func TestResourceChain(t *testing.T) {
	ctx := context.Background()
	b := setup(t)
	s := create(t, b, "chained", `
heat_template_version: 2021-04-16
resources:
  chain:
    type: OS::Heat::ResourceChain
    properties:
      resources: [OS::Heat::RandomString, OS::Heat::RandomString, OS::Heat::RandomString]
      resource_properties: {length: 4}
outputs:
  values: {value: {get_attr: [chain, value]}}
  refs: {value: {get_attr: [chain, refs]}}
  second: {value: {get_attr: [chain, resource.1]}}
`)
	got := waitStatus(t, b, s.Ref(), "CREATE_COMPLETE")
	out := outputs(t, got)
	require.Len(t, out["values"], 3)
	for _, v := range out["values"].([]any) {
		require.Len(t, v, 4)
	}
	require.Equal(t, out["refs"].([]any)[1], out["second"])
	res, err := b.svc.GetResource(ctx, s.Ref(), "chain", nil)
	require.NoError(t, err)
	members, err := b.svc.ListResources(ctx, *res.NestedStack, &stacks.ResourceListParams{})
	require.NoError(t, err)
	require.Len(t, members, 3)
	require.Equal(t, []string{"1"}, members[0].RequiredBy, "each member depends on the one before")
	require.Equal(t, []string{"2"}, members[1].RequiredBy)

	_, err = b.svc.CreateStack(ctx, &stacks.CreateParams{Caller: stacks.Caller{ProjectID: project}, Name: "badchain",
		Template: []byte("heat_template_version: 2021-04-16\nresources:\n  c:\n    type: OS::Heat::ResourceChain\n    properties: {resources: [Nope::Nope]}\n")})
	require.Error(t, err)
	require.Contains(t, engine.MessageOf(err), "The Resource Type (Nope::Nope) could not be found.")
}

// TestMetadataOnlyUpdate: an update that changes only a resource's
// metadata stores it in place (no replacement), and a nested stack's
// resource_facade follows.
func TestMetadataOnlyUpdate(t *testing.T) {
	ctx := context.Background()
	b := setup(t)
	tmpl := func(role string) string {
		return `
heat_template_version: 2021-04-16
resources:
  rand:
    type: OS::Heat::RandomString
    metadata: {role: ` + role + `}
  child:
    type: child.yaml
    metadata: {role: ` + role + `}
outputs:
  value: {value: {get_attr: [rand, value]}}
  facade: {value: {get_attr: [child, role]}}
`
	}
	files := map[string]string{"child.yaml": "heat_template_version: 2021-04-16\noutputs:\n  role: {value: {get_attr: [x, value]}}\nresources:\n  x: {type: OS::Heat::Value, properties: {value: {resource_facade: metadata}}}\n"}
	s := createFrom(t, b, &stacks.CreateParams{Name: "mdonly", Files: files, Template: []byte(tmpl("web"))})
	before := outputs(t, waitStatus(t, b, s.Ref(), "CREATE_COMPLETE"))
	require.Equal(t, map[string]any{"role": "web"}, before["facade"])
	require.NoError(t, b.svc.UpdateStack(ctx, &stacks.UpdateParams{Ref: s.Ref(),
		CreateParams: stacks.CreateParams{Caller: stacks.Caller{ProjectID: project}, Files: files, Template: []byte(tmpl("db"))}}))
	after := outputs(t, waitStatus(t, b, s.Ref(), "UPDATE_COMPLETE"))
	require.Equal(t, before["value"], after["value"], "not replaced")
	require.Equal(t, map[string]any{"role": "db"}, after["facade"])
	md, err := b.svc.ResourceMetadata(ctx, s.Ref(), "rand")
	require.NoError(t, err)
	require.Equal(t, map[string]any{"role": "db"}, md)
	r, err := b.svc.GetResource(ctx, s.Ref(), "rand", nil)
	require.NoError(t, err)
	require.Equal(t, "UPDATE_COMPLETE", r.Action+"_"+r.Status)
}
