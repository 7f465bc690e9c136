// The lab engine's public API. The lab server, the CLI and the site build on exactly these exports;
// keep them stable (src/engine/README.md documents them).
export { Engine, newSessionId, namespaceFor, LABEL_LAB, LABEL_SESSION, ANNOTATION_EXPIRES } from './engine.ts';
export type {
  EngineOptions,
  StartOptions,
  SessionInfo,
  StepResult,
  MistakeFound,
  ProgressEvent,
  CheckStepOptions,
  ChangeOptions,
} from './engine.ts';
export {
  ANNOTATION_NODE_PORTS,
  pickNodePorts,
  rewriteObjects,
  rewriteFiles,
  nodePortEnv,
  sessionCheck,
} from './node-ports.ts';
export type { NodePortMap } from './node-ports.ts';
export { Kube } from './kube.ts';
export { WarmPool } from './pool.ts';
export type { NamespaceSelector } from './watch-paths.ts';
export type { CheckResult } from './checks.ts';
export { loadLab, loadLabs, listLabSlugs, defaultLabsDir } from './load.ts';
export type { Lab, KubeObject } from './load.ts';
export { labSummary, labSummaries } from './summary.ts';
export type { LabSummary, StepSummary } from './summary.ts';
export { LabV1, Step, Check, Mistake, CHECK_TYPES, LAB_API_VERSION, type LabSpec } from './schema.ts';
export { LabV0 } from './schema-v0.ts';
export { TERMINAL_POD, TERMINAL_CONTAINER, TERMINAL_WORKDIR, TOOLBOX_IMAGE, LEARNER_SA } from './terminal.ts';
export {
  EngineError,
  LabFormatError,
  LabNotFoundError,
  ManifestRefusedError,
  ImageMissingError,
  CrashLoopError,
  ClusterUnreachableError,
  SessionNotFoundError,
  StepNotFoundError,
  TimeoutError,
  AbortedError,
  CommandFailedError,
} from './errors.ts';
export type { FormatProblem } from './errors.ts';
export { maxSessionsSetting, SESSION_REQUESTS, holdsResources, podRequests, sessionRoom } from './capacity.ts';
export type { Room } from './capacity.ts';
export { bytesOf, milliCpu } from './quantity.ts';
