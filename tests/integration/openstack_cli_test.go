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
	require.Contains(t, osc("stack", "update", "--existing", "--parameter", "len=20", "--wait", "wc"), "UPDATE_COMPLETE")
	require.Len(t, osc("stack", "output", "show", "wc", "value", "-c", "output_value", "-f", "value"), 20)

	osc("stack", "delete", "--yes", "--wait", "wc")
	require.Empty(t, osc("stack", "list", "-f", "value"))
}
