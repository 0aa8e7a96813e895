package heat

import "net/http"

type versionLink struct {
	Rel  string `json:"rel"`
	Href string `json:"href"`
}

type versionWire struct {
	ID     string        `json:"id"`
	Status string        `json:"status"`
	Links  []versionLink `json:"links"`
}

// versions answers GET / and GET /versions with Heat's version document
// (heat/api/versions.py): 300 Multiple Choices, no authentication.
func (h *Handler) versions(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusMultipleChoices, map[string]any{"versions": []versionWire{{
		ID: "v1.0", Status: "CURRENT", Links: []versionLink{{Rel: "self", Href: h.publicURL + "/v1/"}},
	}}})
}

type revisionWire struct {
	Revision string `json:"revision"`
}

// buildInfo is GET /build_info.
func (h *Handler) buildInfo(w http.ResponseWriter, _ *call) error {
	writeJSON(w, http.StatusOK, map[string]revisionWire{"api": {h.revision}, "engine": {h.revision}})
	return nil
}
