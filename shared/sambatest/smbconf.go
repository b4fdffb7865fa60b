package sambatest

import (
	"fmt"
	"os"
	"strings"
)

// rewriteConf points a copied smb.conf at its new directory and replaces
// the [global] parameters in set. Samba takes the last occurrence of a
// parameter, so the old lines are dropped rather than overridden.
func rewriteConf(conf, oldDir, newDir string, set [][2]string) string {
	replace := make(map[string]bool, len(set))
	for _, kv := range set {
		replace[normKey(kv[0])] = true
	}
	var out []string
	inGlobal := false
	// flush ends the [global] section with the new parameters, followed
	// by one blank line.
	flush := func() {
		for len(out) > 0 && strings.TrimSpace(out[len(out)-1]) == "" {
			out = out[:len(out)-1]
		}
		for _, kv := range set {
			out = append(out, "\t"+kv[0]+" = "+kv[1])
		}
		out = append(out, "")
	}
	for _, line := range strings.Split(conf, "\n") {
		line = strings.ReplaceAll(line, oldDir, newDir)
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "[") {
			if inGlobal {
				flush()
			}
			inGlobal = strings.EqualFold(trimmed, "[global]")
		}
		if inGlobal {
			if key, _, ok := strings.Cut(trimmed, "="); ok && replace[normKey(key)] {
				continue
			}
		}
		out = append(out, line)
	}
	if inGlobal {
		flush()
	}
	return strings.Join(out, "\n")
}

// normKey folds a parameter name the way samba compares them: case and
// spaces do not matter.
func normKey(k string) string {
	return strings.ToLower(strings.ReplaceAll(strings.TrimSpace(k), " ", ""))
}

// configure rewrites dir/etc/smb.conf of a copied template (or of a
// joined DC, with templateDir the same as dir) to run services.
func configure(dir, templateDir, addr string, tf *tlsFiles, services string) error {
	path := dir + "/etc/smb.conf"
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read smb.conf: %w", err)
	}
	conf := rewriteConf(string(b), templateDir, dir, [][2]string{
		{"interfaces", addr},
		{"bind interfaces only", "yes"},
		{"pid directory", dir + "/run"},
		{"log file", dir + "/log.%m"},
		{"server services", services},
		{"tls enabled", "yes"},
		{"tls keyfile", tf.keyFile},
		{"tls certfile", tf.certFile},
		{"tls cafile", tf.caFile},
	})
	if err := os.MkdirAll(dir+"/run", 0o755); err != nil {
		return fmt.Errorf("create pid directory: %w", err)
	}
	if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
		return fmt.Errorf("write smb.conf: %w", err)
	}
	return nil
}
