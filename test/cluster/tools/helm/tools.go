//go:build tools

// Package tools pins helm (helm.sh/helm/v3/cmd/helm) in its own module: helm's dependency graph
// (client-go, containerd, oras) would otherwise fight the Kubernetes 1.37 pins of ../go.mod.
package tools

import (
	_ "helm.sh/helm/v3/cmd/helm"
)
