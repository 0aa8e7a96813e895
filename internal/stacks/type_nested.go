package stacks

// nestedTypes are the types backed by a nested stack (OS::Heat::Stack,
// ResourceGroup): none yet.
func (s *Service) nestedTypes() []ResourceType { return nil }
