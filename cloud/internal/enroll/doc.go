// Package enroll gives agents their identity. An admin creates a
// single-use, expiring bootstrap token for a set of AD domains (only an
// HMAC-SHA256 of it under the cloud's token key is stored). The agent
// generates its own ECDSA P-256 key, sends the token and a certificate
// request to AgentEnrollment.Register over server-authenticated TLS, and
// receives a client certificate from the cloud's agent CA: subject CN is
// the agent ID, the allowed domains are URI SANs. From then on the agent
// authenticates with mutual TLS and renews its certificate, with a new key,
// through AgentEnrollment.Renew before it expires.
//
// The gateway asks Authenticate about each verified client certificate:
// an unknown or revoked agent is refused, and a certificate whose serial
// was superseded by a renewal is a second host holding the identity (a
// cloned VM). It is refused and reported on the agent's record.
//
//	ca, _ := enroll.EnsureCA(filepath.Join(dataDir, "agent-ca"))
//	svc, _ := enroll.New(enroll.Config{Store: st, CA: ca, TokenKey: key})
//	tok, _ := svc.CreateToken(ctx, enroll.TokenRequest{Domains: []string{"corp.example.com"}})
package enroll
