package agent_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestAgentDoesNotLinkCloud keeps the dependency direction: the agent binary
// never links cloud code, a database driver or web-console packages.
func TestAgentDoesNotLinkCloud(t *testing.T) {
	for _, goos := range []string{"linux", "windows"} {
		t.Run(goos, func(t *testing.T) {
			cmd := exec.Command("go", "list", "-deps", "./cmd/hrsync-agent")
			cmd.Env = append(cmd.Environ(), "GOOS="+goos)
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("go list: %v\n%s", err, out)
			}
			deps := strings.Fields(string(out))
			if len(deps) < 10 {
				t.Fatalf("go list returned only %d packages; the check would be meaningless", len(deps))
			}
			for _, d := range deps {
				for _, banned := range []string{"github.com/hrsync/hrsync/cloud", "modernc.org/sqlite", "github.com/jackc/pgx", "github.com/lib/pq"} {
					if strings.HasPrefix(d, banned) {
						t.Errorf("hrsync-agent links %s", d)
					}
				}
			}
		})
	}
}
