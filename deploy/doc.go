// Package deploy holds what it takes to run trygg for real: the container image
// (Dockerfile), a compose file for one machine (two replicas, Redis, Caddy) and Kubernetes
// manifests (k8s/, a kustomization). It has no code; its tests parse every file, decode the
// Kubernetes manifests strictly into the k8s.io/api types, and check the settings that
// matter: probes, non-root, a read-only root file system, no secrets in the image, and
// configuration examples that trygg accepts.
package deploy
