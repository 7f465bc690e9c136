// Which format a lab.yaml is written in, and the one in-memory shape (LabSpec) every version becomes.
// sidecar-labs.dev/v1: `apiVersion` + `kind: Lab`, the slug is the folder name, images may be derived
// from the manifests, NodePort checks name a port of `nodePorts`. The unversioned format (schema-v0.ts)
// still loads, with one deprecation note per file: its `lesson` must equal the folder name and its
// NodePort checks give numbers. Both end as LabSpec with NodePort checks resolved to port numbers.
import type { z } from 'zod';
import { LAB_API_VERSION, LabV1, type LabSpec } from '../schema.ts';
import { LabV0 } from '../schema-v0.ts';
import { noteDeprecated } from './deprecation.ts';
import type { YamlPath } from './positions.ts';

export type LabVersion = 'v1' | 'v0';

/** A problem at a path of lab.yaml (positioned by the caller). */
export type PathProblem = { path: YamlPath; message: string };

export const V0_NOTE = `this lab.yaml has no "apiVersion": the unversioned format is deprecated. It was read and converted; to update it, add "apiVersion: ${LAB_API_VERSION}" and "kind: Lab" at the top, remove "lesson:" (the folder name is the slug), and name NodePorts in checks (nodePort: web instead of 30080)`;

/** The schema that reads this document, or what is wrong with its apiVersion/kind. */
export function pickFormat(
  value: Record<string, unknown>,
): { version: LabVersion; schema: z.ZodType<unknown> } | PathProblem {
  const { apiVersion, kind } = value;
  if (apiVersion === undefined && kind === undefined) return { version: 'v0', schema: LabV0 };
  if (apiVersion === undefined)
    return { path: [], message: `missing "apiVersion": a lab of kind "Lab" needs apiVersion: ${LAB_API_VERSION}` };
  if (apiVersion !== LAB_API_VERSION)
    return {
      path: ['apiVersion'],
      message: `unknown apiVersion ${JSON.stringify(apiVersion)}: expected ${LAB_API_VERSION} (the only lab format version)`,
    };
  if (kind !== 'Lab') return { path: kind === undefined ? [] : ['kind'], message: `expected kind: Lab` };
  return { version: 'v1', schema: LabV1 };
}

/**
 * The parsed file as a LabSpec: `lesson` is the slug (v0: as written, checked against the folder by the
 * loader), images as given (v1 without a list: [] until the manifests are read), NodePort names resolved.
 */
export function toLabSpec(
  version: LabVersion,
  parsed: unknown,
  slug: string,
  file: string,
): { spec: LabSpec; problems: PathProblem[]; imagesGiven: boolean } {
  const problems: PathProblem[] = [];
  if (version === 'v0') noteDeprecated(file, V0_NOTE);
  const data =
    version === 'v0' ? (parsed as z.output<typeof LabV0>) : { ...(parsed as LabV1), lesson: slug, images: undefined };
  const given = version === 'v0' ? data.images : (parsed as LabV1).images;
  const { apiVersion: _a, kind: _k, ...rest } = data as LabV1 & { lesson: string };
  const spec: LabSpec = { ...rest, lesson: data.lesson, images: given ?? [] };
  spec.steps = spec.steps.map((s, si) => ({
    ...s,
    checks: s.checks.map((c, ci) => resolveNodePort(c, spec.nodePorts, version, ['steps', si, 'checks', ci], problems)),
    mistakes: s.mistakes.map((m, mi) => ({
      ...m,
      detect: m.detect.map((c, ci) =>
        resolveNodePort(c, spec.nodePorts, version, ['steps', si, 'mistakes', mi, 'detect', ci], problems),
      ),
    })),
  }));
  return { spec, problems, imagesGiven: given !== undefined };
}

type Check = LabSpec['steps'][number]['checks'][number];

/** v1: `nodePort: web` becomes the port of `nodePorts.web`; a number is the old format's. */
function resolveNodePort(
  c: Check,
  ports: Record<string, number>,
  version: LabVersion,
  path: YamlPath,
  problems: PathProblem[],
): Check {
  if (c.type !== 'http' || c.nodePort === undefined) return c;
  const at = [...path, 'nodePort'];
  const names = Object.keys(ports);
  if (typeof c.nodePort === 'number') {
    if (version === 'v1') {
      const name = names.find((n) => ports[n] === c.nodePort);
      problems.push({
        path: at,
        message: `in ${LAB_API_VERSION} a check names its NodePort: nodePort: ${name ?? '<name>'}${name ? '' : ` (declare it first: nodePorts: {web: ${c.nodePort}})`}`,
      });
    }
    return c; // v0: the loader checks that the number is declared
  }
  if (!(c.nodePort in ports)) {
    problems.push({
      path: at,
      message: `nodePort "${c.nodePort}" is not a name in "nodePorts" (${names.length ? names.join(', ') : 'none declared'})`,
    });
    return c;
  }
  return { ...c, nodePort: ports[c.nodePort] };
}
