package keystone

import "net/http"

// getVersion answers GET /v3 and /v3/ with the version document keystoneauth
// and the openstack CLI read at discovery (Keystone's v3.14, updated
// 2020-04-07, as every Keystone since Ussuri reports).
func (h *Handler) getVersion(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, r, http.StatusOK, &versionResponse{Version: versionWire{
		ID:      "v3.14",
		Status:  "stable",
		Updated: "2020-04-07T00:00:00Z",
		Links:   []linkWire{{Rel: "self", Href: h.publicURL + "/v3/"}},
		MediaTypes: []mediaTypeWire{{
			Base: "application/json",
			Type: "application/vnd.openstack.identity-v3+json",
		}},
	}})
}
