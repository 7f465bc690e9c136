// src/kube: the bottom of the graph, what every layer above needs to find and reach the cluster: which
// cluster (kubeconfig), where the kit keeps things (paths), which NodePorts reach the host (host-ports).
export * from './paths.ts';
export * from './kubeconfig.ts';
export * from './host-ports.ts';
