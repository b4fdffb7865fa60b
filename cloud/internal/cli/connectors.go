package cli

import "github.com/hrsync/hrsync/cloud/internal/connector"

// connectors registers the pull-source connectors this cloud offers.
func connectors() (*connector.Registry, error) {
	return connector.NewRegistry()
}
