package sambatest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// joinServices are the samba services of a DC that another can join and
// that replicates with it: RPC serves DRSUAPI, drepl pulls changes.
const joinServices = "ldap, cldap, kdc, rpc, drepl"

// Join starts another domain controller of dc's domain on its own address:
// samba-tool domain join as a DC (DNS backend NONE), with its own CA and
// certificate, then samba. The DCs replicate by DRS. dc must have been
// started with Options.Joinable. ctx bounds the join and the start.
func (dc *DC) Join(ctx context.Context, opts Options) (_ *DC, err error) {
	if err := opts.CheckAndSetDefaults(); err != nil {
		return nil, err
	}
	if !dc.joinable {
		return nil, errors.New("sambatest: join: the first DC was not started with Options.Joinable")
	}
	ctx, cancel := context.WithTimeout(ctx, opts.StartTimeout)
	defer cancel()

	lease, err := leaseAddr(ctx)
	if err != nil {
		return nil, fmt.Errorf("sambatest: %w", err)
	}
	dir, err := os.MkdirTemp(opts.Dir, instancePrefix)
	if err != nil {
		lease.release()
		return nil, fmt.Errorf("sambatest: create instance directory: %w", err)
	}
	joined := &DC{
		NetBIOSName: strings.ToUpper(hostName + lease.addr[strings.LastIndexByte(lease.addr, '.')+1:]),
		URL:         "ldaps://" + net.JoinHostPort(lease.addr, "636"),
		Addr:        lease.addr,
		Domain:      dc.Domain,
		BaseDN:      dc.BaseDN,
		BindDN:      dc.BindDN,
		BindUPN:     dc.BindUPN,
		Password:    dc.Password,
		Dir:         dir,
		keepDir:     opts.KeepDir,
		joinable:    true,
		lease:       lease,
		exited:      make(chan struct{}),
	}
	defer func() {
		if err != nil {
			err = errors.Join(fmt.Errorf("sambatest: join: %w", err), joined.Stop())
		}
	}()
	if err := lease.record(os.Getpid(), dir); err != nil {
		return nil, err
	}
	krb5 := filepath.Join(dir, "krb5.conf")
	if err := os.WriteFile(krb5, []byte(krb5Conf(dc.Addr)), 0o644); err != nil {
		return nil, fmt.Errorf("write krb5.conf: %w", err)
	}
	cmd := exec.CommandContext(ctx, "samba-tool", "domain", "join", domainName, "DC",
		"--server="+dc.Addr,
		"--username="+netbios+`\Administrator`,
		"--option=workgroup="+netbios,
		"--password="+dc.Password,
		"--realm="+realm,
		"--dns-backend=NONE",
		"--targetdir="+dir,
		"--option=netbios name="+joined.NetBIOSName,
		"--option=interfaces="+lease.addr,
		"--option=bind interfaces only=yes",
	)
	cmd.Env = append(os.Environ(), "KRB5_CONFIG="+krb5)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("samba-tool domain join --server=%s: %w\n%s", dc.Addr, err, tail(out, 4096))
	}
	tf, err := writeTLS(filepath.Join(dir, "tls"), net.ParseIP(lease.addr))
	if err != nil {
		return nil, err
	}
	joined.CAFile, joined.CAPEM = tf.caFile, tf.caPEM
	if err := configure(dir, dir, lease.addr, tf, joinServices); err != nil {
		return nil, err
	}
	if err := joined.run(); err != nil {
		return nil, err
	}
	if err := joined.waitReady(ctx); err != nil {
		return nil, err
	}
	return joined, nil
}

func krb5Conf(kdc string) string {
	return "[libdefaults]\n\tdefault_realm = " + realm + "\n\tdns_lookup_kdc = false\n\tdns_lookup_realm = false\n" +
		"[realms]\n\t" + realm + " = {\n\t\tkdc = " + kdc + "\n\t}\n"
}

// Restart starts samba again on a DC that Kill stopped, with the same
// address, directory and certificate.
func (dc *DC) Restart(ctx context.Context) error {
	select {
	case <-dc.exited:
	default:
		return errors.New("sambatest: restart: samba is still running")
	}
	dc.exited = make(chan struct{})
	if err := dc.run(); err != nil {
		return fmt.Errorf("sambatest: restart: %w", err)
	}
	if err := dc.waitReady(ctx); err != nil {
		return fmt.Errorf("sambatest: restart: %w", err)
	}
	return nil
}

// Kill stops samba, as a crashed or powered-off DC, keeping the address
// and directory so Restart can bring it back. Stop still cleans up.
func (dc *DC) Kill() error {
	if dc.cmd == nil {
		return errors.New("sambatest: kill: samba is not running")
	}
	pgid := dc.cmd.Process.Pid
	err := signalGroup(pgid, true)
	<-dc.exited
	return err
}

// NewJoined starts a DC that joins dc's domain for a test and stops it when
// the test ends.
func NewJoined(t testing.TB, dc *DC) *DC {
	t.Helper()
	joined, err := dc.Join(t.Context(), Options{})
	if err != nil {
		t.Fatalf("join a second Samba AD DC: %v", err)
	}
	t.Cleanup(func() {
		if err := joined.Stop(); err != nil {
			t.Errorf("stop Samba AD DC: %v", err)
		}
	})
	return joined
}

// Replicate makes dc pull the domain partition from source now, rather
// than at the next periodic replication. samba-tool pulls straight into
// dc's database (--local) over DRSUAPI from source's address: the DCs have
// no DNS to find each other by name.
func (dc *DC) Replicate(ctx context.Context, source *DC) error {
	cmd := exec.CommandContext(ctx, "samba-tool", "drs", "replicate", dc.NetBIOSName, source.Addr, dc.BaseDN, "--local",
		"-s", filepath.Join(dc.Dir, "etc", "smb.conf"),
		"--username="+netbios+`\Administrator`, "--password="+dc.Password, "--option=workgroup="+netbios)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("sambatest: samba-tool drs replicate %s %s --local: %w\n%s", dc.NetBIOSName, source.Addr, err, tail(out, 2048))
	}
	return nil
}
