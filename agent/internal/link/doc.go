// Package link keeps the agent's one outbound stream to hrsync-cloud.
//
// A Session runs one connection: dial with mutual TLS (the cloud's
// certificate is verified against the configured CA; the agent presents
// its enrolled client certificate), open AgentGateway.Connect, send Hello
// with the operations in flight and the last delivered sequence, wait for
// Welcome, then stream: operations go to the worker, results come back from
// its outbox, pings are answered, and a watchdog ends the session when the
// cloud goes quiet for three heartbeat intervals.
//
// A Supervisor runs sessions one after another with capped, jittered
// backoff. It stops for good only when the cloud says the agent must be
// re-enrolled or upgraded.
//
// Connection states move Idle → Connecting → Connected → Draining → Closed.
package link
