/**
 * The images the offline kit loads into the kind cluster (see the team brief). Lab manifests
 * may use only these exact names, so a lab never needs a registry.
 */
export const labImages = [
  'docker.io/library/nginx:1.24.0',
  'docker.io/library/busybox:1.36.0',
  'docker.io/library/alpine:3.20.3',
  'registry.k8s.io/git-sync/git-sync:v4.4.2',
  'docker.io/sidecarlabs/git-server:0.1.0',
  'docker.io/sidecarlabs/toolbox:0.1.0',
] as const;
