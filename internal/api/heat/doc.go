// Package heat serves the OpenStack Orchestration (Heat) API v1 on Kiln's
// stacks domain, so that gophercloud, python-heatclient (the openstack
// stack commands), Terraform and curl get what a real Heat 19 answers:
// the same routes, status codes, bodies, headers and error messages.
//
// # Routes
//
// Everything lives under /v1/{project_id}/: stacks (list, create,
// preview, show, update, delete, template, environment, files, outputs,
// actions), their resources (list, show, metadata, signal, mark
// unhealthy) and events, resource types, template versions and
// functions, template validation and build info. GET / and GET /versions
// answer Heat's version document (300) without authentication.
//
// Routing follows Heat's Routes table in its order: a later route can be
// shadowed by an earlier one exactly as in Heat; a known URL asked with a
// method it lacks is 405 with Allow (Heat's comma-separated list); OPTIONS
// is 204 with Allow. A stack is addressed canonically by name and id
// (/stacks/{name}/{id}); a name, id or ARN alone (and the resources,
// events, template, actions, environment, files and outputs sub-paths of
// one) redirects there with 302 and webob's JSON body.
//
// # Request pipeline
//
// A request passes the steps of heat-api's pipeline in the same order, so
// that a request with several faults gets Heat's answer: authentication
// of X-Auth-Token (401 with keystonemiddleware's body and
// WWW-Authenticate pointing at <public>/v3), routing (404, 405), body
// parsing (only a JSON object body is read, as Heat's deserializer does;
// over 1 MiB is RequestLimitExceeded, malformed JSON is 400 with Python's
// parser message), then the tenant check (the path's project must be the
// token's, else 403 HTTPForbidden; an admin passes and acts in its own
// project, as in Heat) and the policy (readers read, members write; 403
// Forbidden "You are not authorized to use <policy>."), then the handler.
//
// # Errors
//
// The domain returns *engine.Error values whose Code is Heat's exception
// name and whose Msg is Heat's text; writeError renders them as Heat's
// fault body {"code","title","explanation","error":{"type","message",
// "traceback"}} with the status of the error's Kind. Errors the API layer
// finds itself (bad query parameters, missing bodies) carry Heat's
// webob type, HTTPBadRequest or HTTPNotFound. Internal errors never show
// their cause.
//
// The package only translates: parsing and validating the wire, calling
// stacks.API, rendering the answer. Stack names, templates, parameters and
// every other rule belong to the domain. It never imports the store or
// another dialect.
//
// # Limits
//
// Kiln fetches no URLs: template_url is refused with Heat's "Could not
// retrieve template" error. Stack adopt, abandon and export are off, as in
// Heat's default configuration (Config.EnableExport turns export on);
// update preview answers NotSupported. Stack list filters that the
// domain does not keep (tenant, username, owner_id, ...) are accepted and
// ignored.
package heat
