package stacks

// configTypes are the stored-config resource types (OS::Heat::CloudConfig,
// SoftwareConfig, MultipartMime): none yet.
func (s *Service) configTypes() []ResourceType { return nil }
