package keystone

import "net/http"

// listProjects answers GET /v3/auth/projects: the enabled projects the
// caller's user holds a role on, which its tokens can be scoped to.
func (h *Handler) listProjects(w http.ResponseWriter, r *http.Request) {
	caller, err := h.caller(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	projects, err := h.identity.ListUserProjects(r.Context(), caller.UserID)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	resp := &projectsResponse{
		Projects: make([]projectWire, len(projects)),
		Links:    collectionLink{Self: h.publicURL + "/v3/auth/projects"},
	}
	for i, p := range projects {
		resp.Projects[i] = projectToWire(p, h.publicURL)
	}
	writeJSON(w, r, http.StatusOK, resp)
}
