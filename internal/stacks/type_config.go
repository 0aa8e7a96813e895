package stacks

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/kilnhq/kiln/internal/engine"
)

// Stored-config resource types, after Heat's software_config.py,
// cloud_config.py, multi_part.py and structured_config.py: each resource
// stores one software config (the /software_configs API's record) and its
// physical id is the config's id, so get_resource hands the config to
// whatever takes one (a MultipartMime part, a deployment).
//
// # Identity and repeats
//
// Create stores the config in its own transaction, before the stack
// commits the resource's outcome; a crash in between calls Create again.
// The config's id is therefore derived, not drawn: a UUIDv5 of the
// resource type, the engine resource id, the resource's current physical
// id and the resolved properties. A repeat computes the same id, finds
// the config and answers it instead of storing a second one.
//
// # Updates
//
// Configs are immutable and no property is update_allowed, so a changed
// resource is replaced: Create runs again with the new properties, the
// old config's id still in RC.PhysicalID. The new id differs (the old id
// and the properties are part of its name), the new config is stored,
// then the old one is deleted, as Heat deletes the replaced resource.
// A repeat of that Create finds the new config and deletes the old one
// again, which is harmless: a config already gone is not an error.
//
// # Attributes
//
// "config" is the stored config's config value. Heat reads it from the
// config on every get_attr; Kiln keeps it from Create, which is the same
// value since configs never change (only a config deleted through the API
// behind the stack's back reads differently: null in Heat).

// configTypes are the stored-config resource types, made with the
// service that stores their configs.
func (s *Service) configTypes() []ResourceType {
	return []ResourceType{
		s.cloudConfigType(),
		s.multipartMimeType(),
		s.softwareConfigType(),
		s.structuredConfigType(),
	}
}

// configNamespace names the UUIDv5 ids of configs stored by resources.
var configNamespace = uuid.NewSHA1(uuid.NameSpaceURL, []byte("https://github.com/kilnhq/kiln/stacks/software-config"))

// resourceConfigID is the id of the config a resource's Create stores.
func resourceConfigID(typeName string, rc *RC) uuid.UUID {
	name := typeName + "\x00" + rc.ID + "\x00" + rc.PhysicalID + "\x00" + string(mustJSON(rc.Properties))
	return uuid.NewSHA1(configNamespace, []byte(name))
}

// configType is one stored-config type; render builds the config to store
// from the resource's properties (id is the config's id to be).
type configType struct {
	baseType
	render func(ctx context.Context, rc *RC, id uuid.UUID) (*SoftwareConfig, error)
	s      *Service
}

// Check finishes at once: Create and Delete never leave a config
// resource in progress, so Check only runs if a future stack layer asks.
func (configType) Check(context.Context, *RC) (*Outcome, error) {
	return &Outcome{Done: true}, nil
}

func (t configType) Create(ctx context.Context, rc *RC) (*Outcome, error) {
	if rc.ID == "" {
		return nil, &engine.Error{Kind: engine.KindInternal, Op: "resource.create", Msg: "config resource without an engine id"}
	}
	project := rc.Stack.ProjectID
	uid := resourceConfigID(t.schema.Name, rc)
	id := uid.String()
	c, err := t.s.GetSoftwareConfig(ctx, project, id)
	if engine.KindOf(err) == engine.KindNotFound {
		c, err = t.render(ctx, rc, uid)
		if err != nil {
			return nil, err
		}
		c.Name = PhysicalResourceName(rc.Stack.Name, rc.Name)
		c.ProjectID = project
		c, err = t.s.createConfig(ctx, id, c)
	}
	if err != nil {
		return nil, err
	}
	if rc.PhysicalID != "" && rc.PhysicalID != id {
		// Replaced on update: the old config goes once the new one is
		// stored.
		if err := t.s.deleteConfigIfExists(ctx, project, rc.PhysicalID); err != nil {
			return nil, err
		}
	}
	return &Outcome{Attributes: map[string]any{"config": c.Config}, Done: true, PhysicalID: id}, nil
}

// Delete removes the config; one already gone (deleted through the API)
// or never stored is fine, as in Heat.
func (t configType) Delete(ctx context.Context, rc *RC) (*Outcome, error) {
	if rc.PhysicalID != "" {
		if err := t.s.deleteConfigIfExists(ctx, rc.Stack.ProjectID, rc.PhysicalID); err != nil {
			return nil, err
		}
	}
	return &Outcome{Done: true}, nil
}

// configAttributes is SoftwareConfig's attribute schema, which every
// stored-config type inherits.
var configAttributes = map[string]AttributeSchema{
	"config": {Description: "The config value of the software config.", Type: "string"},
}

func groupProperty(desc string) PropertySchema {
	return PropertySchema{Default: "Heat::Ungrouped", Description: desc, Type: "string"}
}

var ioTypes = []any{"String", "Number", "CommaDelimitedList", "Json", "Boolean"}

// softwareConfigProperties are SoftwareConfig's properties (heat's
// software_config_io schemas for inputs and outputs); StructuredConfig
// shares all but config.
func softwareConfigProperties() map[string]PropertySchema {
	ioType := func(desc string) PropertySchema {
		return PropertySchema{Constraints: []Constraint{{AllowedValues: ioTypes}}, Default: "String", Description: desc, Type: "string"}
	}
	input := map[string]PropertySchema{
		"default":     {Description: "Default value for the input if none is specified.", Type: "any"},
		"description": {Description: "Description of the input.", Type: "string"},
		"name":        {Description: "Name of the input.", Required: true, Type: "string"},
		"replace_on_change": {Default: false, Description: "Replace the deployment instead of updating it when the input value changes.",
			Type: "boolean"},
		"type": ioType("Type of the value of the input."),
	}
	output := map[string]PropertySchema{
		"description":  {Description: "Description of the output.", Type: "string"},
		"error_output": {Default: false, Description: "Denotes that the deployment is in an error state if this output has a value.", Type: "boolean"},
		"name":         {Description: "Name of the output.", Required: true, Type: "string"},
		"type":         ioType("Type of the value of the output."),
	}
	return map[string]PropertySchema{
		"config": {Description: "Configuration script or manifest which specifies what actual configuration is performed.", Type: "string"},
		"group": groupProperty("Namespace to group this software config by when delivered to a server. " +
			"This may imply what configuration tool is going to perform the configuration."),
		"inputs": {Description: "Schema representing the inputs that this software config is expecting.",
			Schema: map[string]PropertySchema{"*": {Schema: input, Type: "map"}}, Type: "list"},
		"options": {Description: "Map containing options specific to the configuration management tool used by this resource.", Type: "map"},
		"outputs": {Description: "Schema representing the outputs that this software config will produce.",
			Schema: map[string]PropertySchema{"*": {Schema: output, Type: "map"}}, Type: "list"},
	}
}

// renderProperties stores the properties as the config, as Heat's
// SoftwareConfig.handle_create passes them to create_software_config.
func renderProperties(_ context.Context, rc *RC, _ uuid.UUID) (*SoftwareConfig, error) {
	p := rc.Properties
	c := &SoftwareConfig{Config: p["config"]}
	c.Group, _ = p["group"].(string)
	c.Inputs, _ = p["inputs"].([]any)
	c.Options, _ = p["options"].(map[string]any)
	c.Outputs, _ = p["outputs"].([]any)
	return c, nil
}

// # OS::Heat::SoftwareConfig

func (s *Service) softwareConfigType() ResourceType {
	return configType{baseType: baseType{&TypeSchema{
		Attributes: configAttributes,
		Description: "A resource for describing and storing software configuration.\n\n" +
			"The software_configs API which backs this resource creates immutable\n" +
			"configs, so any change to the template resource definition will result\n" +
			"in a new config being created, and the old one being deleted.\n\n" +
			"Configs can be defined in the same template which uses them, or they can\n" +
			"be created in one stack, and passed to another stack via a parameter.\n\n" +
			"A config resource can be referenced in other resource properties which\n" +
			"are config-aware. This includes the properties OS::Nova::Server user_data,\n" +
			"OS::Heat::SoftwareDeployment config and OS::Heat::MultipartMime parts\n" +
			"config.\n\n" +
			"Along with the config script itself, this resource can define schemas for\n" +
			"inputs and outputs which the config script is expected to consume and\n" +
			"produce. Inputs and outputs are optional and will map to concepts which\n" +
			"are specific to the configuration tool being used.",
		Name:       "OS::Heat::SoftwareConfig",
		Properties: softwareConfigProperties(),
		Version:    "2014.1",
	}}, render: renderProperties, s: s}
}

// # OS::Heat::StructuredConfig

func (s *Service) structuredConfigType() ResourceType {
	props := softwareConfigProperties()
	props["config"] = PropertySchema{Description: "Map representing the configuration data structure which will be serialized to JSON format.",
		Type: "map"}
	return configType{baseType: baseType{&TypeSchema{
		Attributes: configAttributes,
		Description: "A resource which has same logic with OS::Heat::SoftwareConfig.\n\n" +
			"This resource is like OS::Heat::SoftwareConfig except that the config\n" +
			"property is represented by a Map rather than a String.\n\n" +
			"This is useful for configuration tools which use YAML or JSON as their\n" +
			"configuration syntax. The resulting configuration is transferred,\n" +
			"stored and returned by the software_configs API as parsed JSON.",
		Name:       "OS::Heat::StructuredConfig",
		Properties: props,
		Version:    "2014.1",
	}}, render: renderProperties, s: s}
}

// # OS::Heat::CloudConfig

func (s *Service) cloudConfigType() ResourceType {
	return configType{baseType: baseType{&TypeSchema{
		Attributes: configAttributes,
		Description: "A configuration resource for representing cloud-init cloud-config.\n\n" +
			"This resource allows cloud-config YAML to be defined and stored by the\n" +
			"config API. Any intrinsic functions called in the config will be resolved\n" +
			"before storing the result.\n\n" +
			"This resource will generally be referenced by OS::Nova::Server user_data,\n" +
			"or OS::Heat::MultipartMime parts config. Since cloud-config is boot-only\n" +
			"configuration, any changes to the definition will result in the\n" +
			"replacement of all servers which reference it.",
		Name: "OS::Heat::CloudConfig",
		Properties: map[string]PropertySchema{
			"cloud_config": {Description: "Map representing the cloud-config data structure which will be formatted as YAML.", Type: "map"},
		},
		Version: "2014.1",
	}}, render: renderCloudConfig, s: s}
}

// renderCloudConfig is CloudConfig.handle_create: "#cloud-config\n" and
// the map dumped as YAML, group Heat::Ungrouped.
func renderCloudConfig(_ context.Context, rc *RC, _ uuid.UUID) (*SoftwareConfig, error) {
	return &SoftwareConfig{Config: "#cloud-config\n" + pyYAMLDump(rc.Properties["cloud_config"]), Group: "Heat::Ungrouped"}, nil
}

// # OS::Heat::MultipartMime

func (s *Service) multipartMimeType() ResourceType {
	part := map[string]PropertySchema{
		"config": {Description: "Content of part to attach, either inline or by referencing the ID of another software config resource.",
			Required: true, Type: "string"},
		"filename": {Description: "Optional filename to associate with part.", Type: "string"},
		"subtype":  {Description: "Optional subtype to specify with the type.", Type: "string"},
		"type": {Constraints: []Constraint{{AllowedValues: []any{"text", "multipart"}}}, Default: "text",
			Description: "Whether the part content is text or multipart.", Type: "string"},
	}
	return configType{baseType: baseType{&TypeSchema{
		Attributes: configAttributes,
		Description: "Assembles a collection of software configurations as a multi-part mime.\n\n" +
			"Parts in the message can be populated with inline configuration or\n" +
			"references to other config resources. If the referenced resource is itself\n" +
			"a valid multi-part mime message, that will be broken into parts and\n" +
			"those parts appended to this message.\n\n" +
			"The resulting multi-part mime message will be stored by the configs API\n" +
			"and can be referenced in properties such as OS::Nova::Server user_data.\n\n" +
			"This resource is generally used to build a list of cloud-init\n" +
			"configuration elements including scripts and cloud-config. Since\n" +
			"cloud-init is boot-only configuration, any changes to the definition\n" +
			"will result in the replacement of all servers which reference it.",
		Name: "OS::Heat::MultipartMime",
		Properties: map[string]PropertySchema{
			"group": groupProperty("Namespace to group this multi-part configs by when delivered to a server. " +
				"This may imply what configuration tool is going to perform the configuration."),
			"parts": {Default: []any{}, Description: "Parts belonging to this message.",
				Schema: map[string]PropertySchema{"*": {Schema: part, Type: "map"}}, Type: "list"},
		},
		Version: "2014.1",
	}}, render: s.renderMultipart, s: s}
}

// renderMultipart is MultipartMime.get_message: each part's config is
// the text of the software config it names when it is a UUID of one
// (else the text itself); a "multipart" part contributes the parts of the
// message it holds, a "text" part itself, its subtype defaulting to the
// filename without its extension.
func (s *Service) renderMultipart(ctx context.Context, rc *RC, id uuid.UUID) (*SoftwareConfig, error) {
	items, _ := rc.Properties["parts"].([]any)
	var parts []mimePart
	for _, item := range items {
		m, _ := item.(map[string]any)
		text, _ := m["config"].(string)
		var content any = text
		if _, err := uuid.Parse(text); err == nil {
			c, err := s.GetSoftwareConfig(ctx, rc.Stack.ProjectID, text)
			switch {
			case err == nil:
				content = c.Config
			case engine.KindOf(err) != engine.KindNotFound:
				return nil, err
			}
		}
		str, ok := content.(string)
		if !ok {
			// Heat hands the value to MIMEText, which needs text.
			return nil, resourceError("resource.create", "AttributeError",
				fmt.Sprintf("'%s' object has no attribute 'encode'", pyTypeName(content)))
		}
		if typ, _ := m["type"].(string); typ == "multipart" {
			parts = append(parts, splitMultipart(str)...)
			continue
		}
		filename, _ := m["filename"].(string)
		subtype, _ := m["subtype"].(string)
		if subtype == "" && filename != "" {
			subtype = pySplitextRoot(filename)
		}
		parts = append(parts, mimePart{filename: filename, subtype: subtype, text: str})
	}
	group, _ := rc.Properties["group"].(string)
	return &SoftwareConfig{Config: multipartMessage(parts, mimeBoundary(id)), Group: group}, nil
}
