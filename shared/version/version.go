// Package version holds the build version of hrsync binaries and the stream
// protocol version that the cloud and the agent negotiate in Hello/Welcome.
package version

// Version is set at link time with -ldflags "-X .../shared/version.Version=v1.2.3".
var Version = "dev"

const (
	// Protocol is the stream protocol version this build speaks.
	Protocol uint32 = 2
	// MinProtocol is the oldest agent protocol the cloud still accepts.
	MinProtocol uint32 = 1
	// ProtocolOnlyDC is the first protocol whose agents honour
	// Operation.only_dc; the cloud sends a pinned operation to no older one.
	ProtocolOnlyDC uint32 = 2
)
