package integration

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestHeatOpenstackCLI drives the Heat dialect of a `kiln serve` process
// with the real `openstack` CLI (Debian's python3-openstackclient and
// python3-heatclient): create, event list and show, resource signal,
// output show, update --existing --wait, delete --wait. It skips when the
// CLI is absent; .ci/run installs it.
func TestHeatOpenstackCLI(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("openstack"); err != nil {
		t.Skip("openstack CLI not installed (apt-get install python3-openstackclient python3-heatclient)")
	}
	p := startKiln(t, "--data", t.TempDir())
	dir := t.TempDir()
	tmpl := filepath.Join(dir, "wc.yaml")
	require.NoError(t, os.WriteFile(tmpl, []byte(`heat_template_version: 2021-04-16
parameters:
  len:
    type: number
    default: 8
resources:
  rand:
    type: OS::Heat::RandomString
    properties:
      length: {get_param: len}
  handle:
    type: OS::Heat::WaitConditionHandle
  wait:
    type: OS::Heat::WaitCondition
    properties:
      handle: {get_resource: handle}
      timeout: 600
outputs:
  value:
    value: {get_attr: [rand, value]}
`), 0o600))
	osc := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("openstack", args...)
		cmd.Env = append(os.Environ(),
			"OS_AUTH_URL="+p.url+"/v3", "OS_USERNAME=admin", "OS_PASSWORD="+adminPassword, "OS_PROJECT_NAME=admin",
			"OS_USER_DOMAIN_NAME=Default", "OS_PROJECT_DOMAIN_NAME=Default", "OS_REGION_NAME=local",
			"OS_IDENTITY_API_VERSION=3", "HOME="+dir)
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "openstack %s:\n%s", strings.Join(args, " "), out)
		return strings.TrimSpace(string(out))
	}

	require.Contains(t, osc("stack", "create", "-t", tmpl, "wc"), "CREATE_IN_PROGRESS")
	require.Eventually(t, func() bool {
		return osc("stack", "resource", "show", "wc", "wait", "-c", "resource_status", "-f", "value") == "CREATE_IN_PROGRESS"
	}, 20*time.Second, 100*time.Millisecond)
	require.Equal(t, "CREATE_IN_PROGRESS", osc("stack", "show", "wc", "-c", "stack_status", "-f", "value"))

	osc("stack", "resource", "signal", "wc", "handle", "--data", `{"status":"SUCCESS","id":"1","data":"hi"}`)
	require.Eventually(t, func() bool {
		return osc("stack", "show", "wc", "-c", "stack_status", "-f", "value") == "CREATE_COMPLETE"
	}, 20*time.Second, 100*time.Millisecond)

	events := osc("stack", "event", "list", "wc")
	require.Contains(t, events, "[wc]: CREATE_COMPLETE  Stack CREATE completed successfully")
	require.Contains(t, events, "[wc.handle]: SIGNAL_COMPLETE  Signal: status:SUCCESS reason:Signal 1 received")
	id := strings.SplitN(osc("stack", "event", "list", "wc", "--resource", "rand", "-f", "value", "-c", "id"), "\n", 2)[0]
	show := osc("stack", "event", "show", "wc", "rand", id, "-f", "value", "-c", "resource_type", "-c", "resource_status")
	require.Contains(t, show, "OS::Heat::RandomString")

	require.Len(t, osc("stack", "output", "show", "wc", "value", "-c", "output_value", "-f", "value"), 8)
	// --dry-run asks the update preview: the RandomString would be
	// replaced (its length changes), nothing else.
	dry := osc("stack", "update", "--dry-run", "--existing", "--parameter", "len=20", "wc", "-f", "json")
	require.Contains(t, dry, `"replaced"`, dry)
	require.Regexp(t, `(?s)"replaced":[^\]]*rand`, dry)
	require.Contains(t, osc("stack", "update", "--existing", "--parameter", "len=20", "--wait", "wc"), "UPDATE_COMPLETE")
	require.Len(t, osc("stack", "output", "show", "wc", "value", "-c", "output_value", "-f", "value"), 20)

	osc("stack", "delete", "--yes", "--wait", "wc")
	require.Empty(t, osc("stack", "list", "-f", "value"))
}

// TestHeatOpenstackCLINested drives nested stacks and scaling with the
// real CLI: a resource group of template resources (the CLI gathers the
// template file named in the environment's registry), resource and event
// lists with --nested-depth, stack list --nested, a scaling policy
// signalled to grow an autoscaling group, and delete --wait.
func TestHeatOpenstackCLINested(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("openstack"); err != nil {
		t.Skip("openstack CLI not installed (apt-get install python3-openstackclient python3-heatclient)")
	}
	p := startKiln(t, "--data", t.TempDir())
	dir := t.TempDir()
	write := func(name, text string) string {
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, []byte(text), 0o600))
		return path
	}
	write("member.yaml", `heat_template_version: 2021-04-16
parameters:
  label: {type: string}
resources:
  word: {type: OS::Heat::RandomString, properties: {length: 5}}
outputs:
  label: {value: {list_join: ["-", [{get_param: label}, {get_attr: [word, value]}]]}}
`)
	env := write("env.yaml", "resource_registry:\n  \"My::Member\": member.yaml\n")
	tmpl := write("top.yaml", `heat_template_version: 2021-04-16
resources:
  group:
    type: OS::Heat::ResourceGroup
    properties:
      count: 2
      resource_def:
        type: My::Member
        properties: {label: "m%index%"}
  asg:
    type: OS::Heat::AutoScalingGroup
    properties:
      min_size: 1
      max_size: 3
      resource: {type: OS::Heat::None}
  up:
    type: OS::Heat::ScalingPolicy
    properties:
      auto_scaling_group_id: {get_resource: asg}
      adjustment_type: change_in_capacity
      scaling_adjustment: 1
outputs:
  labels: {value: {get_attr: [group, label]}}
`)
	osc := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("openstack", args...)
		cmd.Env = append(os.Environ(),
			"OS_AUTH_URL="+p.url+"/v3", "OS_USERNAME=admin", "OS_PASSWORD="+adminPassword, "OS_PROJECT_NAME=admin",
			"OS_USER_DOMAIN_NAME=Default", "OS_PROJECT_DOMAIN_NAME=Default", "OS_REGION_NAME=local",
			"OS_IDENTITY_API_VERSION=3", "HOME="+dir)
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "openstack %s:\n%s", strings.Join(args, " "), out)
		return strings.TrimSpace(string(out))
	}

	require.Contains(t, osc("stack", "create", "-t", tmpl, "-e", env, "--wait", "nest"), "CREATE_COMPLETE")
	labels := osc("stack", "output", "show", "nest", "labels", "-c", "output_value", "-f", "value")
	require.Regexp(t, `m0-\w{5}`, labels)
	require.Regexp(t, `m1-\w{5}`, labels)

	resources := osc("stack", "resource", "list", "--nested-depth", "2", "nest", "-f", "value", "-c", "resource_name", "-c", "resource_type")
	require.Contains(t, resources, "0 My::Member")
	require.Contains(t, resources, "word OS::Heat::RandomString")
	require.Len(t, strings.Split(osc("stack", "list", "--nested", "-f", "value", "-c", "ID"), "\n"), 1+1+2+1,
		"the stack, the group's, its two members', the autoscaling group's")
	require.Len(t, strings.Split(osc("stack", "list", "-f", "value", "-c", "ID"), "\n"), 1)
	events := osc("stack", "event", "list", "--nested-depth", "2", "nest")
	// The CLI names a nested event by its parent resource ([0.word]) once
	// it has seen that resource's physical id, else by the nested stack's
	// name; either way the members' events are listed.
	require.Regexp(t, `\[(0|nest-group-\w+-0-\w+)\.word\]: CREATE_COMPLETE`, events)
	require.Contains(t, events, "[nest]: CREATE_COMPLETE")

	osc("stack", "resource", "signal", "nest", "up")
	require.Eventually(t, func() bool {
		return osc("stack", "resource", "show", "nest", "asg", "-c", "attributes", "-f", "json") != "" &&
			strings.Contains(osc("stack", "resource", "show", "nest", "asg", "-c", "resource_status", "-f", "value"), "UPDATE_COMPLETE")
	}, 20*time.Second, 100*time.Millisecond)
	require.Contains(t, osc("stack", "resource", "show", "nest", "asg", "-c", "attributes", "-f", "json"), `"current_size": 2`)

	osc("stack", "delete", "--yes", "--wait", "nest")
	require.Empty(t, osc("stack", "list", "--nested", "-f", "value"))
}
