// The learner's terminal: a toolbox pod in the session namespace whose kubectl acts as a ServiceAccount
// bound to the Role `learner` (LEARNER_RULES): what the built-in `edit` allows for the workloads a lab
// needs, inside its namespace only, but NetworkPolicies, quotas and limits read-only, so the fence and
// the budget the engine put there (budget.ts) stay as they are. kubectl reads a kubeconfig that uses the pod's own projected
// ServiceAccount token (tokenFile: kubelet rotates it) and names the session namespace as its default.
import type { KubeObject } from './load/kube-object.ts';
import { labImage } from '../course/images.ts';

export const TOOLBOX_IMAGE = labImage('/sidecarlabs/toolbox:');
export const TERMINAL_POD = 'terminal';
export const TERMINAL_CONTAINER = 'terminal';
export const LEARNER_SA = 'learner';
/** Objects the engine owns in a session namespace; reset leaves them alone. */
export const INFRA_LABEL = 'sidecar-labs.dev/infra';
/** Where the lab's manifests are in the terminal (its working directory). */
export const TERMINAL_WORKDIR = '/lab';

const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

const ALL = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'];
const READ = ['get', 'list', 'watch'];
/**
 * `edit` in one namespace, less what would let a learner widen the fence: NetworkPolicies (they add
 * up), and Endpoints and EndpointSlices (hand-written ones aim a selector-less Service, and its
 * NodePort, at any address: another learner's pod). Those are read-only; Kubernetes writes them.
 */
export const LEARNER_RULES = [
  {
    apiGroups: [''],
    resources: [
      'pods',
      'pods/log',
      'pods/exec',
      'pods/attach',
      'pods/portforward',
      'pods/proxy',
      'pods/eviction',
      'services',
      'services/proxy',
      'configmaps',
      'secrets',
      'persistentvolumeclaims',
      'replicationcontrollers',
      'replicationcontrollers/scale',
      'serviceaccounts',
    ],
    verbs: ALL,
  },
  {
    apiGroups: [''],
    resources: ['events', 'endpoints', 'resourcequotas', 'limitranges', 'pods/status', 'namespaces'],
    verbs: READ,
  },
  {
    apiGroups: ['apps'],
    resources: [
      'deployments',
      'deployments/scale',
      'deployments/rollback',
      'replicasets',
      'replicasets/scale',
      'statefulsets',
      'statefulsets/scale',
      'daemonsets',
    ],
    verbs: ALL,
  },
  { apiGroups: ['apps'], resources: ['controllerrevisions'], verbs: READ },
  { apiGroups: ['batch'], resources: ['jobs', 'cronjobs'], verbs: ALL },
  { apiGroups: ['autoscaling'], resources: ['horizontalpodautoscalers'], verbs: ALL },
  { apiGroups: ['policy'], resources: ['poddisruptionbudgets'], verbs: ALL },
  { apiGroups: ['networking.k8s.io'], resources: ['ingresses'], verbs: ALL },
  { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: READ },
  { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: READ },
  { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: READ },
  { apiGroups: ['metrics.k8s.io'], resources: ['pods'], verbs: READ },
];

/** The terminal's own budget: one core, and bounded scratch space (the node's disk is shared). */
export const TERMINAL_RESOURCES = {
  requests: { cpu: '10m', memory: '32Mi', 'ephemeral-storage': '16Mi' },
  limits: { cpu: '1', memory: '256Mi', 'ephemeral-storage': '512Mi' },
};
export const TERMINAL_SCRATCH_LIMIT = '256Mi';

export function learnerKubeconfig(namespace: string): string {
  // YAML by hand on purpose: no secrets in it, only file references the pod already has.
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: lab',
    '  cluster:',
    '    server: https://kubernetes.default.svc',
    `    certificate-authority: ${SA_DIR}/ca.crt`,
    'users:',
    `- name: ${LEARNER_SA}`,
    '  user:',
    `    tokenFile: ${SA_DIR}/token`,
    'contexts:',
    '- name: lab',
    '  context:',
    '    cluster: lab',
    `    user: ${LEARNER_SA}`,
    `    namespace: ${namespace}`,
    'current-context: lab',
    '',
  ].join('\n');
}

type Labels = Record<string, string>;

/** The ServiceAccount the learner's kubectl acts as. */
function learnerServiceAccount(labels: Labels): KubeObject {
  return { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: LEARNER_SA, labels } };
}

/** What the learner may do in the session namespace (LEARNER_RULES). */
function learnerRole(labels: Labels): KubeObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name: LEARNER_SA, labels },
    rules: LEARNER_RULES,
  };
}

/** Binds the learner's Role to the learner's ServiceAccount, in this namespace only. */
function learnerRoleBinding(namespace: string, labels: Labels): KubeObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: LEARNER_SA, labels },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: LEARNER_SA },
    subjects: [{ kind: 'ServiceAccount', name: LEARNER_SA, namespace }],
  };
}

/** The kubeconfig the terminal's kubectl reads (learnerKubeconfig). */
function learnerKubeconfigMap(namespace: string, labels: Labels): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'learner-kubeconfig', labels },
    data: { config: learnerKubeconfig(namespace) },
  };
}

/** The lab's manifests, copied into the terminal's working directory. */
function labFilesMap(labFiles: Record<string, string>, labels: Labels): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'lab-files', labels }, data: labFiles };
}

/** The toolbox container the learner's shell runs in. */
function terminalContainer(namespace: string, extraEnv: Record<string, string>) {
  return {
    name: TERMINAL_CONTAINER,
    image: TOOLBOX_IMAGE,
    imagePullPolicy: 'IfNotPresent',
    // a writable copy of the lab's manifests as the working directory, then idle until a shell attaches
    command: ['sh', '-c', `cp /etc/sidecar-labs/lab/* ${TERMINAL_WORKDIR}/ 2>/dev/null; exec sleep infinity`],
    workingDir: TERMINAL_WORKDIR,
    env: [
      { name: 'KUBECONFIG', value: '/etc/sidecar-labs/kubeconfig/config' },
      { name: 'NAMESPACE', value: namespace },
      // NodePorts answer on the node's address; the learner's curl uses $HOST_IP
      { name: 'HOST_IP', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
      { name: 'TERM', value: 'xterm-256color' },
      // the session's NodePorts ($NODE_PORT), when the lab declares any
      ...Object.entries(extraEnv).map(([name, value]) => ({ name, value })),
    ],
    resources: TERMINAL_RESOURCES,
    volumeMounts: [
      { name: 'kubeconfig', mountPath: '/etc/sidecar-labs/kubeconfig', readOnly: true },
      { name: 'lab-files', mountPath: '/etc/sidecar-labs/lab', readOnly: true },
      { name: 'work', mountPath: TERMINAL_WORKDIR },
    ],
  };
}

/** The terminal pod: the toolbox container with the kubeconfig, the lab's files and bounded scratch space. */
function terminalPod(namespace: string, labels: Labels, extraEnv: Record<string, string>): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: TERMINAL_POD, labels: { ...labels, 'app.kubernetes.io/name': 'terminal' } },
    spec: {
      serviceAccountName: LEARNER_SA,
      automountServiceAccountToken: true,
      // sleep as PID 1 ignores SIGTERM: do not make stop/reset wait 30 s for it
      terminationGracePeriodSeconds: 1,
      enableServiceLinks: false,
      containers: [terminalContainer(namespace, extraEnv)],
      volumes: [
        { name: 'kubeconfig', configMap: { name: 'learner-kubeconfig' } },
        { name: 'lab-files', configMap: { name: 'lab-files' } },
        { name: 'work', emptyDir: { sizeLimit: TERMINAL_SCRATCH_LIMIT } },
      ],
    },
  };
}

export function terminalObjects(
  namespace: string,
  labFiles: Record<string, string>,
  extraEnv: Record<string, string> = {},
): KubeObject[] {
  const labels = { [INFRA_LABEL]: 'true', 'app.kubernetes.io/part-of': 'sidecar-labs' };
  return [
    learnerServiceAccount(labels),
    learnerRole(labels),
    learnerRoleBinding(namespace, labels),
    learnerKubeconfigMap(namespace, labels),
    labFilesMap(labFiles, labels),
    terminalPod(namespace, labels, extraEnv),
  ];
}
