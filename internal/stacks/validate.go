package stacks

import (
	"context"
	"fmt"
	"regexp"

	"github.com/kilnhq/kiln/internal/engine"
	"github.com/kilnhq/kiln/internal/stacks/hot"
)

var paramTypeNames = map[hot.ParamType]string{
	hot.ParamBoolean: "Boolean", hot.ParamCommaDelimitedList: "CommaDelimitedList", hot.ParamJSON: "Json",
	hot.ParamNumber: "Number", hot.ParamString: "String",
}

// Validate implements API: the template is checked as a create would
// check it (parameters need not all be given), and its parameters are
// described in Heat's validate form.
func (s *Service) Validate(ctx context.Context, p *ValidateParams) (*ValidateResult, error) {
	const op = "template.validate"
	if len(p.Template) == 0 {
		return nil, &engine.Error{Kind: engine.KindInvalid, Code: "HTTPBadRequest", Op: op, Msg: "No Template provided."}
	}
	if len(p.Template) > hot.MaxTemplateSize {
		return nil, hot.TemplateSizeError(len(p.Template))
	}
	tmpl, err := hot.Parse(p.Template)
	if err != nil {
		return nil, err
	}
	var envs []*hot.Environment
	docs := [][]byte{}
	if len(p.Environment) > 0 {
		docs = append(docs, p.Environment)
	}
	for _, name := range p.EnvironmentFiles {
		docs = append(docs, []byte(p.Files[name]))
	}
	for _, d := range docs {
		e, err := hot.ParseEnvironment(d)
		if err != nil {
			return nil, err
		}
		envs = append(envs, e)
	}
	env := hot.Merge(envs...)
	// Graph and types are checked; missing parameter values are not (a
	// template without defaults still validates, as in Heat).
	if _, err := tmpl.Dependencies(nil); err != nil {
		return nil, err
	}
	for _, r := range tmpl.Resources {
		if _, ok := s.typeFor(p.Files, env.ResolveType(r.Name, r.Type)); !ok {
			return nil, unknownType(r.Name, env.ResolveType(r.Name, r.Type))
		}
	}
	res := &ValidateResult{Description: tmpl.Description, Environment: env.Map()}
	if res.Description == "" {
		res.Description = "No description"
	}
	values := map[string]any{}
	for k, v := range env.ParameterDefaults {
		values[k] = v
	}
	for k, v := range env.Parameters {
		values[k] = v
	}
	for k, v := range p.Parameters {
		values[k] = v
	}
	for _, prm := range tmpl.Parameters {
		info := ParameterInfo{Name: prm.Name, Type: paramTypeNames[prm.Type], Description: prm.Description,
			Label: prm.Label, NoEcho: prm.Hidden, Tags: prm.Tags}
		if info.Label == "" {
			info.Label = prm.Name
		}
		if prm.HasDefault {
			info.Default = prm.Default
		}
		if v, ok := values[prm.Name]; ok {
			info.Value = v
		}
		for _, c := range prm.Constraints {
			switch {
			case c.AllowedValues != nil:
				info.AllowedValues = c.AllowedValues
			case c.AllowedPattern != "":
				info.AllowedPattern = c.AllowedPattern
			case c.Length != nil:
				info.MinLength, info.MaxLength = intPtr(c.Length.Min), intPtr(c.Length.Max)
			case c.Range != nil:
				info.MinValue, info.MaxValue = c.Range.Min, c.Range.Max
			case c.CustomConstraint != "":
				info.CustomConstraint = c.CustomConstraint
			}
			if c.Description != "" {
				info.ConstraintDescription = c.Description
			}
		}
		res.Parameters = append(res.Parameters, info)
	}
	for _, g := range tmpl.ParameterGroups {
		res.ParameterGroups = append(res.ParameterGroups, g.Raw)
	}
	return res, nil
}

func intPtr(f *float64) *int {
	if f == nil {
		return nil
	}
	i := int(*f)
	return &i
}

// TemplateVersions implements API.
func (s *Service) TemplateVersions(context.Context) ([]TemplateVersion, error) {
	var out []TemplateVersion
	for _, v := range hot.Versions() {
		out = append(out, TemplateVersion{Aliases: v.Aliases, Type: v.Type, Version: v.Version})
	}
	return out, nil
}

// TemplateFunctions implements API.
func (s *Service) TemplateFunctions(_ context.Context, version string, withConditions bool) ([]TemplateFunction, error) {
	fs, err := hot.Functions(version, withConditions)
	if err != nil {
		return nil, err
	}
	out := make([]TemplateFunction, len(fs))
	for i, f := range fs {
		out[i] = TemplateFunction{Name: f.Name, Description: f.Description}
	}
	return out, nil
}

// ResourceTypes implements API.
func (s *Service) ResourceTypes(_ context.Context, p *ResourceTypeListParams) ([]ResourceTypeInfo, error) {
	var re *regexp.Regexp
	if p.Name != "" {
		var err error
		if re, err = regexp.Compile(p.Name); err != nil {
			return nil, &engine.Error{Kind: engine.KindInvalid, Code: "HTTPBadRequest", Op: "resource_type.list",
				Msg: fmt.Sprintf("Invalid name filter %q: %v", p.Name, err)}
		}
	}
	var out []ResourceTypeInfo
	for _, name := range s.types.Names() {
		typ, _ := s.types.Get(name)
		sc := typ.Schema()
		status := sc.SupportStatus
		if status == "" {
			status = "SUPPORTED"
		}
		if p.SupportStatus != "" && p.SupportStatus != status {
			continue
		}
		if p.SupportStatus == "" && status == "HIDDEN" {
			continue
		}
		if re != nil && !re.MatchString(name) {
			continue
		}
		out = append(out, ResourceTypeInfo{Name: name, Description: sc.Description})
	}
	return out, nil
}

func (s *Service) typeOr404(op, name string) (ResourceType, error) {
	typ, ok := s.types.Get(name)
	if !ok {
		return nil, &engine.Error{Kind: engine.KindNotFound, Code: "EntityNotFound", Op: op,
			Msg: fmt.Sprintf("The Resource Type (%s) could not be found.", name)}
	}
	return typ, nil
}

// ResourceTypeSchema implements API.
func (s *Service) ResourceTypeSchema(_ context.Context, name string) (*ResourceTypeSchema, error) {
	typ, err := s.typeOr404("resource_type.show", name)
	if err != nil {
		return nil, err
	}
	sc := typ.Schema()
	props, attrs := SchemaJSON(sc)
	return &ResourceTypeSchema{Attributes: attrs, Description: sc.Description, Name: name, Properties: props,
		SupportStatus: SupportStatusJSON(sc)}, nil
}

// ResourceTypeTemplate implements API.
func (s *Service) ResourceTypeTemplate(_ context.Context, name, templateType string) (map[string]any, error) {
	typ, err := s.typeOr404("resource_type.template", name)
	if err != nil {
		return nil, err
	}
	if templateType == "" {
		templateType = "cfn"
	}
	if templateType != "cfn" && templateType != "hot" {
		return nil, &engine.Error{Kind: engine.KindInvalid, Code: "HTTPBadRequest", Op: "resource_type.template",
			Msg: fmt.Sprintf("Template type is not supported: Invalid template type \"%s\", valid types are: cfn, hot.", templateType)}
	}
	return TemplateJSON(typ.Schema(), templateType), nil
}

// PreviewStack implements API: the stack as create would make it, with
// its resources in INIT_COMPLETE and their properties as given.
func (s *Service) PreviewStack(_ context.Context, p *CreateParams) (*Stack, []*Resource, error) {
	def, pl, err := s.newStack(p, "None")
	if err != nil {
		return nil, nil, err
	}
	now := s.e.Now()
	stack := &Stack{ID: "None", Action: string(engine.ActionInit), CreatedAt: now, Description: def.Description,
		DisableRollback: def.DisableRollback, Name: p.Name, Owner: def.Owner, Parameters: paramStrings(pl.params),
		ProjectID: p.Caller.ProjectID, Status: string(engine.StatusComplete), Tags: def.Tags,
		TemplateDescription: def.Description, TimeoutMins: def.TimeoutMins}
	ref := StackRef{ID: "None", Name: p.Name, ProjectID: p.Caller.ProjectID}
	vctx := &evalContext{pl: pl, s: s, byName: nil}
	var res []*Resource
	for _, pr := range pl.resources {
		props, err := pl.tmpl.ResolveProperties(vctx, pr.name)
		if err != nil {
			return nil, nil, err
		}
		res = append(res, &Resource{Action: string(engine.ActionInit), CreatedAt: now, Description: pr.def.Description,
			Name: pr.name, Properties: props, RequiredBy: pr.requiredBy, Stack: ref, Status: string(engine.StatusComplete),
			Type: pr.def.Type, UpdatedAt: now})
	}
	return stack, res, nil
}
