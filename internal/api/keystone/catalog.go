package keystone

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"

	"github.com/kilnhq/kiln/internal/engine"
)

// interfaces are the endpoint interfaces of every service, in the order
// they are listed.
var interfaces = []string{"public", "internal", "admin"}

// catalog returns the service catalog of a token scoped to projectID.
func (h *Handler) catalog(projectID string) []catalogEntry {
	return []catalogEntry{
		h.catalogService("identity", "keystone", h.publicURL+"/v3/"),
		h.catalogService("orchestration", "heat", h.publicURL+"/v1/"+projectID),
	}
}

func (h *Handler) catalogService(serviceType, name, url string) catalogEntry {
	e := catalogEntry{ID: stableID("service", serviceType), Type: serviceType, Name: name}
	for _, iface := range interfaces {
		e.Endpoints = append(e.Endpoints, endpointWire{
			ID:        stableID("endpoint", serviceType, iface),
			Interface: iface,
			RegionID:  h.region,
			URL:       url,
			Region:    h.region,
		})
	}
	return e
}

// stableID derives a Keystone-style id (32 hex) from names, so catalog ids
// are the same on every node and every call.
func stableID(parts ...string) string {
	hash := sha256.New()
	for _, p := range parts {
		hash.Write([]byte(p))
		hash.Write([]byte{0})
	}
	return hex.EncodeToString(hash.Sum(nil)[:16])
}

// getCatalog answers GET /v3/auth/catalog: the catalog of the caller's
// token, which must be project-scoped (Keystone answers 403 otherwise).
func (h *Handler) getCatalog(w http.ResponseWriter, r *http.Request) {
	caller, err := h.caller(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if !caller.Scoped() {
		// Keystone's Forbidden is a security error: the reason is only logged.
		h.writeError(w, r, &engine.Error{Kind: engine.KindForbidden, Op: "keystone.catalog", Msg: msgForbidden,
			Err: errors.New("a project-scoped token is required to produce a service catalog")})
		return
	}
	writeJSON(w, r, http.StatusOK, &catalogResponse{
		Catalog: h.catalog(caller.ProjectID),
		Links:   selfLink{Self: h.publicURL + "/v3/auth/catalog"},
	})
}
