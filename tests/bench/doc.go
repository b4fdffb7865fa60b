// Package bench holds the end-to-end benchmarks `make bench` runs against
// a real Samba AD DC, each with its baseline measured in the same run on
// the same DC: a raw ldapadd of equivalent entries is the physical limit
// the initial cycle is compared with.
package bench
