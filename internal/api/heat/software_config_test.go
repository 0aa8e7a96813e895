package heat

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kilnhq/kiln/internal/identity"
)

func TestSoftwareConfigs(t *testing.T) {
	t.Parallel()
	b := setup(t)
	member := func(method, path, body string) (int, []byte) {
		rec := b.do(t, req{method: method, path: path, body: body, token: identity.RoleMember})
		return rec.Code, rec.Body.Bytes()
	}

	code, body := member(http.MethodPost, "/software_configs",
		`{"name": "cfg", "group": "script", "config": "#!/bin/sh\necho hi", "inputs": [{"name": "foo"}], "options": {"x": 1}}`)
	require.Equal(t, http.StatusOK, code, string(body))
	b.requireGolden(t, "software_config_create.Created", body)
	var created struct {
		SoftwareConfig softwareConfigWire `json:"software_config"`
	}
	require.NoError(t, json.Unmarshal(body, &created))
	cfgID := created.SoftwareConfig.ID

	// A structured config's config is a map; Heat stores it as given.
	code, body = member(http.MethodPost, "/software_configs", `{"name": "structured", "config": {"a": [1, 2.0], "b": {"c": null}}}`)
	require.Equal(t, http.StatusOK, code, string(body))
	b.requireGolden(t, "software_config_create.Structured", body)

	code, body = member(http.MethodGet, "/software_configs/"+cfgID, "")
	require.Equal(t, http.StatusOK, code, string(body))
	b.requireGolden(t, "software_config_show.Get", body)

	code, body = member(http.MethodGet, "/software_configs?limit=1", "")
	require.Equal(t, http.StatusOK, code, string(body))
	b.requireGolden(t, "software_config_list.Limit", body)
	rec := b.do(t, req{method: http.MethodGet, path: "/software_configs", token: identity.RoleAdmin})
	require.Contains(t, rec.Body.String(), `"project":"`+b.project+`"`, "an admin sees each config's project")

	rec = b.get(t, "/software_configs?limit=x")
	b.requireFault(t, rec, http.StatusBadRequest, "software_config_list.BadLimit")
	rec = b.get(t, "/software_configs/00000000-0000-0000-0000-000000000000")
	b.requireFault(t, rec, http.StatusNotFound, "software_config_show.Missing")
	rec = b.do(t, req{method: http.MethodPost, path: "/software_configs", token: identity.RoleMember})
	b.requireFault(t, rec, http.StatusBadRequest, "software_config_create.NoBody")
	rec = b.do(t, req{method: http.MethodPost, path: "/software_configs", body: `{"config": "x"}`, token: identity.RoleReader})
	require.Equal(t, http.StatusForbidden, rec.Code, rec.Body.String())

	code, body = member(http.MethodPost, "/software_deployments",
		`{"config_id": "`+cfgID+`", "server_id": "dummy_server", "action": "ACTION0", "input_values": {"foo": "bar"}}`)
	require.Equal(t, http.StatusOK, code, string(body))
	b.requireGolden(t, "software_deployment_create.Created", body)
	var dep struct {
		SoftwareDeployment softwareDeploymentWire `json:"software_deployment"`
	}
	require.NoError(t, json.Unmarshal(body, &dep))
	depID := dep.SoftwareDeployment.ID

	code, body = member(http.MethodGet, "/software_deployments/metadata/dummy_server", "")
	require.Equal(t, http.StatusOK, code, string(body))
	b.requireGolden(t, "software_deployment_metadata.Get", body)

	code, body = member(http.MethodPut, "/software_deployments/"+depID,
		`{"action": "ACTION1", "status": "COMPLETE", "status_reason": "done", "output_values": {"deploy_stdout": "ok"}, "config_id": null}`)
	require.Equal(t, http.StatusOK, code, string(body))
	b.requireGolden(t, "software_deployment_update.Updated", body)

	code, body = member(http.MethodGet, "/software_deployments?server_id=dummy_server", "")
	require.Equal(t, http.StatusOK, code, string(body))
	require.Contains(t, string(body), `"action":"ACTION1"`)
	code, body = member(http.MethodGet, "/software_deployments?server_id=other", "")
	require.Equal(t, http.StatusOK, code, string(body))
	require.JSONEq(t, `{"software_deployments": []}`, string(body))

	rec = b.do(t, req{method: http.MethodPut, path: "/software_deployments/" + depID, body: `{"input_values": "x"}`, token: identity.RoleMember})
	b.requireFault(t, rec, http.StatusBadRequest, "software_deployment_update.BadInputValues")
	rec = b.do(t, req{method: http.MethodPost, path: "/software_deployments", body: `{"config_id": "nope", "server_id": "s"}`,
		token: identity.RoleMember})
	b.requireFault(t, rec, http.StatusNotFound, "software_deployment_create.MissingConfig")
	rec = b.do(t, req{method: http.MethodPatch, path: "/software_deployments/" + depID, body: `{}`, token: identity.RoleMember})
	require.Equal(t, http.StatusMethodNotAllowed, rec.Code)
	require.Equal(t, "GET,PUT,DELETE", rec.Header().Get("Allow"))

	code, _ = member(http.MethodDelete, "/software_deployments/"+depID, "")
	require.Equal(t, http.StatusNoContent, code)
	code, _ = member(http.MethodGet, "/software_deployments/"+depID, "")
	require.Equal(t, http.StatusNotFound, code)
	code, _ = member(http.MethodDelete, "/software_configs/"+cfgID, "")
	require.Equal(t, http.StatusNoContent, code)
	code, _ = member(http.MethodGet, "/software_configs/"+cfgID, "")
	require.Equal(t, http.StatusNotFound, code)
}
