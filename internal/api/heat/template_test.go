package heat

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kilnhq/kiln/internal/identity"
	"github.com/kilnhq/kiln/internal/stacks"
)

func TestResourceTypes(t *testing.T) {
	t.Parallel()
	b := setup(t)

	t.Run("List", func(t *testing.T) {
		t.Parallel()
		rec := b.get(t, "/resource_types")
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		var out struct {
			ResourceTypes []string `json:"resource_types"`
		}
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &out))
		require.Contains(t, out.ResourceTypes, "OS::Heat::RandomString")

		rec = b.get(t, "/resource_types?name=RandomString&with_description=true")
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		b.requireGolden(t, "resource_type_list.WithDescription", rec.Body.Bytes())

		rec = b.get(t, "/resource_types?with_description=sometimes")
		b.requireFault(t, rec, http.StatusBadRequest, "resource_type_list.BadWithDescription")
	})
	t.Run("Show", func(t *testing.T) {
		t.Parallel()
		rec := b.get(t, "/resource_types/OS::Heat::RandomString")
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		b.requireGolden(t, "resource_type_show.RandomString", rec.Body.Bytes())
		var top map[string]any
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &top))
		require.NotContains(t, top, "description")

		rec = b.get(t, "/resource_types/OS::Heat::RandomString?with_description=true")
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		top = nil
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &top))
		require.Contains(t, top, "description")

		rec = b.get(t, "/resource_types/OS::Nope::Nothing")
		b.requireFault(t, rec, http.StatusNotFound, "resource_type_show.Missing")
	})
	t.Run("ShowConfigTypes", func(t *testing.T) {
		t.Parallel()
		for _, name := range []string{"CloudConfig", "MultipartMime", "SoftwareConfig", "StructuredConfig"} {
			rec := b.get(t, "/resource_types/OS::Heat::"+name)
			require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
			b.requireGolden(t, "resource_type_show."+name, rec.Body.Bytes())
		}
		rec := b.get(t, "/resource_types/OS::Heat::CloudConfig/template?template_type=hot")
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		b.requireGolden(t, "resource_type_template.CloudConfigHot", rec.Body.Bytes())
	})
	t.Run("Template", func(t *testing.T) {
		t.Parallel()
		rec := b.get(t, "/resource_types/OS::Heat::RandomString/template?template_type=HOT")
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		b.requireGolden(t, "resource_type_template.Hot", rec.Body.Bytes())

		rec = b.get(t, "/resource_types/OS::Heat::RandomString/template")
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		require.Contains(t, rec.Body.String(), "HeatTemplateFormatVersion", "cfn is the default")

		rec = b.get(t, "/resource_types/OS::Heat::RandomString/template?template_type=xml")
		b.requireFault(t, rec, http.StatusBadRequest, "resource_type_template.BadType")
	})
}

func TestTemplateVersions(t *testing.T) {
	t.Parallel()
	b := setup(t)

	rec := b.get(t, "/template_versions")
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	b.requireGolden(t, "template_version_list.Get", rec.Body.Bytes())

	rec = b.get(t, "/template_versions/heat_template_version.2016-04-08/functions")
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	require.Contains(t, rec.Body.String(), `{"functions":"get_file","description":"A function for including a file inline."}`)
	require.NotContains(t, rec.Body.String(), `"equals"`)

	rec = b.get(t, "/template_versions/heat_template_version.2016-10-14/functions?with_condition_func=true")
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	require.Contains(t, rec.Body.String(), `"equals"`)

	rec = b.get(t, "/template_versions/heat_template_version.2016-10-14/functions?with_condition_func=1")
	b.requireFault(t, rec, http.StatusBadRequest, "template_function_list.BadBool")

	rec = b.get(t, "/template_versions/nope/functions")
	b.requireFault(t, rec, http.StatusNotFound, "template_function_list.Missing")
}

const validateTemplate = `heat_template_version: 2021-04-16
description: validate me
parameter_groups:
  - label: g
    parameters: [name, size]
parameters:
  name:
    type: string
    label: The name
    description: what to call it
    default: x
    constraints:
      - length: {min: 1, max: 8}
        description: short
      - allowed_pattern: "[a-z]+"
  size:
    type: number
    hidden: true
    constraints:
      - range: {min: 1, max: 10}
      - allowed_values: [1, 2, 3]
resources:
  v:
    type: OS::Heat::Value
    properties:
      value: {get_param: name}
`

func TestValidate(t *testing.T) {
	t.Parallel()
	b := setup(t)

	t.Run("Valid", func(t *testing.T) {
		t.Parallel()
		body := fmt.Sprintf(`{"template": %q, "parameters": {"size": 2}}`, validateTemplate)
		rec := b.do(t, req{method: http.MethodPost, path: "/validate", body: body, token: identity.RoleReader})
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		b.requireGolden(t, "validate.Valid", rec.Body.Bytes())
	})
	t.Run("NoParameterGroups", func(t *testing.T) {
		t.Parallel()
		body := fmt.Sprintf(`{"template": %q}`, minimalTemplate)
		rec := b.do(t, req{method: http.MethodPost, path: "/validate", body: body, token: identity.RoleReader})
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		require.NotContains(t, rec.Body.String(), "ParameterGroups")
		require.Contains(t, rec.Body.String(), `"Parameters":{}`)
	})
	t.Run("Errors", func(t *testing.T) {
		t.Parallel()
		tests := []struct {
			name  string
			query string
			body  string
		}{
			{"NoBody", "", ""},
			{"NoTemplate", "", `{"environment": {}}`},
			{"TemplateURL", "", `{"template_url": "http://x/t.yaml"}`},
			{"BadShowNested", "?show_nested=2", `{"template": {}}`},
			{"BadTemplate", "", `{"template": {"heat_template_version": "2021-04-16", "resources": {"a": {"type": "OS::Nope"}}}}`},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				rec := b.do(t, req{method: http.MethodPost, path: "/validate" + tt.query, body: tt.body, token: identity.RoleReader})
				b.requireFault(t, rec, http.StatusBadRequest, "validate."+tt.name)
			})
		}
	})
}

func TestStackListQuery(t *testing.T) {
	t.Parallel()
	b := setup(t)
	for _, s := range []struct{ name, tags string }{{"s1", "a,b"}, {"s2", "b"}, {"s3", ""}} {
		body, err := json.Marshal(map[string]any{"stack_name": s.name, "template": minimalTemplate, "tags": s.tags})
		require.NoError(t, err)
		rec := b.do(t, req{method: http.MethodPost, path: "/stacks", body: string(body), token: identity.RoleMember})
		require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
		var out stackCreated
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &out))
		b.waitStack(t, stacks.StackRef{ID: out.Stack.ID, Name: s.name, ProjectID: b.project}, "CREATE_COMPLETE")
	}
	names := func(t *testing.T, query string) ([]string, stackListResponse) {
		t.Helper()
		rec := b.get(t, "/stacks"+query)
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		var out stackListResponse
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &out))
		list := []string{}
		for _, s := range out.Stacks {
			list = append(list, s.StackName)
		}
		return list, out
	}

	t.Run("Sort", func(t *testing.T) {
		t.Parallel()
		got, _ := names(t, "?sort_keys=stack_name&sort_dir=asc")
		require.Equal(t, []string{"s1", "s2", "s3"}, got)
		got, _ = names(t, "?sort_keys=stack_name&sort_keys=bogus")
		require.Equal(t, []string{"s3", "s2", "s1"}, got)
	})
	t.Run("NextLinkOnFullPage", func(t *testing.T) {
		t.Parallel()
		got, out := names(t, "?sort_keys=stack_name&sort_dir=asc&limit=2")
		require.Equal(t, []string{"s1", "s2"}, got)
		require.Len(t, out.Links, 1)
		require.Equal(t, "next", out.Links[0].Rel)
		require.Equal(t, publicURL+"/v1/"+b.project+"/stacks?sort_keys=stack_name&sort_dir=asc&limit=2&marker="+out.Stacks[1].ID,
			out.Links[0].Href)
		got, out = names(t, "?sort_keys=stack_name&sort_dir=asc&limit=2&marker="+out.Stacks[1].ID)
		require.Equal(t, []string{"s3"}, got)
		require.Empty(t, out.Links, "a short page has no next link")
	})
	t.Run("Count", func(t *testing.T) {
		t.Parallel()
		_, out := names(t, "?limit=1&with_count=true")
		require.NotNil(t, out.Count)
		require.Equal(t, 3, *out.Count)
		_, out = names(t, "?with_count=")
		require.Nil(t, out.Count)
	})
	t.Run("Filters", func(t *testing.T) {
		t.Parallel()
		tests := []struct {
			query string
			want  []string
		}{
			{"?name=s1", []string{"s1"}},
			{"?name=s1&name=s3", []string{"s1", "s3"}},
			{"?stack_name=s2", []string{"s2"}},
			{"?status=CREATE_COMPLETE", []string{"s1", "s2", "s3"}},
			{"?status=UPDATE_COMPLETE", []string{}},
			{"?status=NONSENSE", []string{}},
			{"?action=DELETE", []string{}},
			{"?tags=b", []string{"s1", "s2"}},
			{"?tags=a,b", []string{"s1"}},
			{"?tags_any=a,x", []string{"s1"}},
			{"?not_tags_any=a", []string{"s2", "s3"}},
			{"?tenant=other", []string{}},
			{"?tenant=" + b.project + "&username=member-user&name=", []string{"s1", "s2", "s3"}},
			{"?username=x", []string{}},
			{"?owner_id=x", []string{}},
			{"?disable_rollback=True&timeout_mins=60", []string{"s1", "s2", "s3"}},
			{"?timeout_mins=10", []string{}},
		}
		for _, tt := range tests {
			got, _ := names(t, tt.query)
			require.ElementsMatch(t, tt.want, got, tt.query)
		}
	})
	t.Run("BadQuery", func(t *testing.T) {
		t.Parallel()
		for _, tt := range []struct{ name, query string }{
			{"ShowDeleted", "?show_deleted=yes"},
			{"ShowNested", "?show_nested=1"},
			{"Limit", "?limit=-1"},
			{"ShowHidden", "?show_hidden=no"},
			{"TagTooLong", "?tags=" + strings.Repeat("a", 81)},
			{"WithCount", "?with_count=maybe"},
			{"GlobalTenant", "?global_tenant="},
		} {
			rec := b.get(t, "/stacks"+tt.query)
			b.requireFault(t, rec, http.StatusBadRequest, "stack_list.Bad"+tt.name)
		}
	})
}
