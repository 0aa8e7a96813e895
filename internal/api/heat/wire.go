package heat

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/kilnhq/kiln/internal/stacks"
)

// Wire types and their converters from domain types. Field order follows
// the bodies captured from Heat 19, so a diff against Heat reads easily
// (clients do not depend on it).

// timeFormat is heat/common/timeutils.isotime: UTC, seconds, "Z".
const timeFormat = "2006-01-02T15:04:05Z"

func isoTime(t time.Time) string { return t.UTC().Format(timeFormat) }

// isoTimePtr renders an optional time; nil is JSON null.
func isoTimePtr(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := isoTime(*t)
	return &s
}

func strPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

type link struct {
	Href string `json:"href"`
	Rel  string `json:"rel"`
}

// stackSummary is one item of GET /stacks (heat stacks_view.basic_keys).
type stackSummary struct {
	ID                 string   `json:"id"`
	Links              []link   `json:"links"`
	Project            string   `json:"project,omitempty"`
	StackName          string   `json:"stack_name"`
	Description        string   `json:"description"`
	StackStatus        string   `json:"stack_status"`
	StackStatusReason  string   `json:"stack_status_reason"`
	CreationTime       string   `json:"creation_time"`
	UpdatedTime        *string  `json:"updated_time"`
	DeletionTime       *string  `json:"deletion_time"`
	StackOwner         string   `json:"stack_owner"`
	Parent             *string  `json:"parent"`
	StackUserProjectID string   `json:"stack_user_project_id"`
	Tags               []string `json:"tags"`
}

type stackListResponse struct {
	Stacks []*stackSummary `json:"stacks"`
	Links  []link          `json:"links,omitempty"`
	Count  *int            `json:"count,omitempty"`
}

// stackWire is the full stack of GET .../stacks/{name}/{id}.
type stackWire struct {
	StackName           string            `json:"stack_name"`
	ID                  string            `json:"id"`
	Links               []link            `json:"links"`
	CreationTime        string            `json:"creation_time"`
	UpdatedTime         *string           `json:"updated_time"`
	DeletionTime        *string           `json:"deletion_time"`
	NotificationTopics  []string          `json:"notification_topics"`
	Parameters          map[string]string `json:"parameters"`
	Description         string            `json:"description"`
	TemplateDescription string            `json:"template_description"`
	Capabilities        []string          `json:"capabilities"`
	DisableRollback     bool              `json:"disable_rollback"`
	TimeoutMins         *int              `json:"timeout_mins"`
	StackOwner          string            `json:"stack_owner"`
	Parent              *string           `json:"parent"`
	StackUserProjectID  string            `json:"stack_user_project_id"`
	Tags                []string          `json:"tags"`
	// StackStatus and StackStatusReason are absent from a preview.
	StackStatus       *string       `json:"stack_status,omitempty"`
	StackStatusReason *string       `json:"stack_status_reason,omitempty"`
	Outputs           []*outputWire `json:"outputs,omitempty"`
	// Resources is set by a preview only.
	Resources []*previewResourceWire `json:"resources,omitempty"`
}

type stackResponse struct {
	Stack *stackWire `json:"stack"`
}

// stackCreated is the body of 201 Created.
type stackCreated struct {
	Stack struct {
		ID    string `json:"id"`
		Links []link `json:"links"`
	} `json:"stack"`
}

type outputWire struct {
	OutputKey   string  `json:"output_key"`
	Description string  `json:"description"`
	OutputValue any     `json:"output_value"`
	OutputError *string `json:"output_error,omitempty"`
}

// outputSummary is an item of GET .../outputs: no value.
type outputSummary struct {
	OutputKey   string `json:"output_key"`
	Description string `json:"description"`
}

type resourceWire struct {
	UpdatedTime          string   `json:"updated_time"`
	CreationTime         string   `json:"creation_time"`
	LogicalResourceID    string   `json:"logical_resource_id"`
	ResourceName         string   `json:"resource_name"`
	PhysicalResourceID   string   `json:"physical_resource_id"`
	ResourceStatus       string   `json:"resource_status"`
	ResourceStatusReason string   `json:"resource_status_reason"`
	ResourceType         string   `json:"resource_type"`
	Links                []link   `json:"links"`
	RequiredBy           []string `json:"required_by"`
	ParentResource       string   `json:"parent_resource,omitempty"`
	Description          *string  `json:"description,omitempty"`
	// Attributes is a map[string]any when shown; nil leaves it out.
	Attributes any `json:"attributes,omitempty"`
}

// identityWire is a HeatIdentifier as the engine sends it, which a
// preview passes through unformatted.
type identityWire struct {
	Path      string `json:"path"`
	StackID   string `json:"stack_id"`
	StackName string `json:"stack_name"`
	Tenant    string `json:"tenant"`
}

// previewResourceWire is a resource of POST /stacks/preview: the engine's
// own format (heat/engine/api.py format_stack_resource with properties),
// which the API does not reformat.
type previewResourceWire struct {
	Attributes           map[string]any `json:"attributes"`
	CreationTime         string         `json:"creation_time"`
	Description          string         `json:"description"`
	Metadata             map[string]any `json:"metadata"`
	PhysicalResourceID   string         `json:"physical_resource_id"`
	Properties           map[string]any `json:"properties"`
	RequiredBy           []string       `json:"required_by"`
	ResourceAction       string         `json:"resource_action"`
	ResourceIdentity     identityWire   `json:"resource_identity"`
	ResourceName         string         `json:"resource_name"`
	ResourceStatus       string         `json:"resource_status"`
	ResourceStatusReason string         `json:"resource_status_reason"`
	ResourceType         string         `json:"resource_type"`
	StackIdentity        identityWire   `json:"stack_identity"`
	StackName            string         `json:"stack_name"`
	UpdatedTime          string         `json:"updated_time"`
}

type eventWire struct {
	ID                   string  `json:"id"`
	Links                []link  `json:"links"`
	EventTime            string  `json:"event_time"`
	LogicalResourceID    string  `json:"logical_resource_id"`
	ResourceName         string  `json:"resource_name"`
	PhysicalResourceID   *string `json:"physical_resource_id"`
	ResourceStatus       string  `json:"resource_status"`
	ResourceStatusReason string  `json:"resource_status_reason"`
	// Show only.
	ResourceType       *string         `json:"resource_type,omitempty"`
	ResourceProperties json.RawMessage `json:"resource_properties,omitempty"`
}

// links builds Heat's absolute URLs from the public URL, quoting each
// segment as Python's urllib.parse.quote does.
type links struct{ base string }

// stack is <public>/v1/{tenant}/stacks/{name}/{id}.
func (l links) stackURL(ref stacks.StackRef) string {
	return l.base + "/v1/" + pyQuote(ref.ProjectID, "") + "/stacks/" + pyQuote(ref.Name, "") + "/" + pyQuote(ref.ID, "")
}

func (l links) resourceURL(ref stacks.StackRef, name string) string {
	return l.stackURL(ref) + pyQuote("/resources/"+name, "/")
}

func (l links) eventURL(ref stacks.StackRef, resourceName, id string) string {
	return l.stackURL(ref) + pyQuote("/resources/"+resourceName+"/events/"+id, "/")
}

func stackStatus(action, status string) string { return action + "_" + status }

func (l links) stackSummary(s *stacks.Stack, withProject bool) *stackSummary {
	out := &stackSummary{
		ID: s.ID, Links: []link{{Href: l.stackURL(s.Ref()), Rel: "self"}}, StackName: s.Name, Description: s.Description,
		StackStatus: stackStatus(s.Action, s.Status), StackStatusReason: s.StatusReason, CreationTime: isoTime(s.CreatedAt),
		UpdatedTime: isoTimePtr(s.UpdatedAt), DeletionTime: isoTimePtr(s.DeletedAt), StackOwner: s.Owner,
		Parent: strPtr(s.ParentID), StackUserProjectID: s.ProjectID, Tags: s.Tags,
	}
	if withProject {
		out.Project = s.ProjectID
	}
	if len(out.Tags) == 0 {
		out.Tags = nil // the DB summary has null, not []
	}
	return out
}

// stackFull renders a stack for show and preview. A preview has no status
// and the id "None".
func (l links) stackFull(s *stacks.Stack, preview bool) *stackWire {
	ref := s.Ref()
	if preview {
		ref.ID = "None"
	}
	out := &stackWire{
		StackName: s.Name, ID: ref.ID, Links: []link{{Href: l.stackURL(ref), Rel: "self"}},
		CreationTime: isoTime(s.CreatedAt), UpdatedTime: isoTimePtr(s.UpdatedAt), DeletionTime: isoTimePtr(s.DeletedAt),
		NotificationTopics: []string{}, Parameters: s.Parameters, Description: s.Description,
		TemplateDescription: s.TemplateDescription, Capabilities: []string{}, DisableRollback: s.DisableRollback,
		StackOwner: s.Owner, Parent: strPtr(s.ParentID), StackUserProjectID: s.ProjectID, Tags: s.Tags,
	}
	if s.TimeoutMins > 0 {
		t := s.TimeoutMins
		out.TimeoutMins = &t
	}
	if out.Parameters == nil {
		out.Parameters = map[string]string{}
	}
	if out.Tags == nil {
		out.Tags = []string{}
	}
	if !preview {
		st, reason := stackStatus(s.Action, s.Status), s.StatusReason
		out.StackStatus, out.StackStatusReason = &st, &reason
	}
	if s.Outputs != nil {
		out.Outputs = make([]*outputWire, 0, len(s.Outputs))
		for i := range s.Outputs {
			out.Outputs = append(out.Outputs, outputFull(&s.Outputs[i]))
		}
	}
	return out
}

func outputFull(o *stacks.Output) *outputWire {
	return &outputWire{OutputKey: o.Key, Description: o.Description, OutputValue: o.Value, OutputError: strPtr(o.Error)}
}

func (l links) resource(r *stacks.Resource) *resourceWire {
	rl := []link{{Href: l.resourceURL(r.Stack, r.Name), Rel: "self"}, {Href: l.stackURL(r.Stack), Rel: "stack"}}
	if r.NestedStack != nil {
		rl = append(rl, link{Href: l.stackURL(*r.NestedStack), Rel: "nested"})
	}
	out := &resourceWire{
		UpdatedTime: isoTime(r.UpdatedAt), CreationTime: isoTime(r.CreatedAt), LogicalResourceID: r.Name,
		ResourceName: r.Name, PhysicalResourceID: r.PhysicalID, ResourceStatus: stackStatus(r.Action, r.Status),
		ResourceStatusReason: r.StatusReason, ResourceType: r.Type, Links: rl, RequiredBy: r.RequiredBy,
		ParentResource: r.ParentName,
	}
	if out.RequiredBy == nil {
		out.RequiredBy = []string{}
	}
	if r.Attributes != nil {
		d := r.Description
		out.Description, out.Attributes = &d, r.Attributes
	}
	return out
}

func previewResource(r *stacks.Resource) *previewResourceWire {
	stackID := identityWire{StackID: "None", StackName: r.Stack.Name, Tenant: r.Stack.ProjectID}
	resID := stackID
	resID.Path = "/resources/" + r.Name
	out := &previewResourceWire{
		Attributes: r.Attributes, CreationTime: isoTime(r.CreatedAt), Description: r.Description, Metadata: map[string]any{},
		PhysicalResourceID: r.PhysicalID, Properties: r.Properties, RequiredBy: r.RequiredBy, ResourceAction: r.Action,
		ResourceIdentity: resID, ResourceName: r.Name, ResourceStatus: r.Status, ResourceStatusReason: r.StatusReason,
		ResourceType: r.Type, StackIdentity: stackID, StackName: r.Stack.Name, UpdatedTime: isoTime(r.UpdatedAt),
	}
	if out.Attributes == nil {
		out.Attributes = map[string]any{}
	}
	if out.Properties == nil {
		out.Properties = map[string]any{}
	}
	if out.RequiredBy == nil {
		out.RequiredBy = []string{}
	}
	return out
}

// event renders an event; detail adds resource_type and
// resource_properties (show).
func (l links) event(e *stacks.Event, detail bool) *eventWire {
	el := []link{
		{Href: l.eventURL(e.Stack, e.ResourceName, e.ID), Rel: "self"},
		{Href: l.resourceURL(e.Stack, e.ResourceName), Rel: "resource"},
		{Href: l.stackURL(e.Stack), Rel: "stack"},
	}
	if e.RootStack != nil {
		el = append(el, link{Href: l.stackURL(*e.RootStack), Rel: "root_stack"})
	}
	out := &eventWire{
		ID: e.ID, Links: el, EventTime: isoTime(e.Time), LogicalResourceID: e.ResourceName, ResourceName: e.ResourceName,
		PhysicalResourceID: e.PhysicalResourceID, ResourceStatus: stackStatus(e.Action, e.Status),
		ResourceStatusReason: e.StatusReason,
	}
	if detail {
		t := e.ResourceType
		out.ResourceType = &t
		out.ResourceProperties = json.RawMessage("null")
		if e.Properties != nil {
			if b, err := marshalJSON(e.Properties); err == nil {
				out.ResourceProperties = b
			}
		}
	}
	return out
}

// marshalJSON encodes v as Python's json.dumps would read (no HTML
// escaping) and without a trailing newline.
func marshalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// writeJSON writes v with status. A value that cannot be encoded is a
// bug; it becomes a bare 500.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := marshalJSON(v)
	if err != nil {
		http.Error(w, `{"code": 500}`, http.StatusInternalServerError)
		return
	}
	writeBody(w, status, b)
}

func writeBody(w http.ResponseWriter, status int, b []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// webobBody is the JSON body webob gives a non-error HTTP exception (302
// Found, 202 Accepted) when the client accepts JSON.
type webobBody struct {
	Message string `json:"message"`
	Code    string `json:"code"`
	Title   string `json:"title"`
}

// writeFound answers 302 with Location and webob's body.
func writeFound(w http.ResponseWriter, location string) {
	w.Header().Set("Location", location)
	writeJSON(w, http.StatusFound, &webobBody{
		Message: `The resource was found at <a href="` + location + `">` + location + "</a>;\nyou should be redirected automatically.\n\n",
		Code:    "302 Found", Title: "Found",
	})
}

// writeAccepted answers 202 with webob's body.
func writeAccepted(w http.ResponseWriter) {
	writeJSON(w, http.StatusAccepted, &webobBody{
		Message: "The request is accepted for processing.<br /><br />\n\n", Code: "202 Accepted", Title: "Accepted",
	})
}

// writeNull answers 200 with the body null: what Heat's JSON serializer
// makes of a controller that returns nothing (signal, actions,
// mark-unhealthy).
func writeNull(w http.ResponseWriter) { writeBody(w, http.StatusOK, []byte("null")) }

// pyQuote is Python's urllib.parse.quote(s, safe): letters, digits and
// "_.-~" and the characters in safe stay, every other byte of the UTF-8
// form becomes %XX.
func pyQuote(s, safe string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '_', c == '.', c == '-', c == '~':
			b.WriteByte(c)
		case c < 0x80 && strings.IndexByte(safe, c) >= 0:
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String()
}
