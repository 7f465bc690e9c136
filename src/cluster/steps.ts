// The steps of bringing the lab cluster up, how long each took last time (kept in the kit cache), and
// the learner-facing line built from them: "Building Kubernetes from source, step 2 of 7, about 9 min
// left" on a cold kit, "Starting the cluster, ~20 s" on a warm one. Pure functions; the clock and the
// file are passed in.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { cacheDir } from '../kube/paths.ts';

export type StepId = 'host' | 'docker' | 'go' | 'rootfs' | 'images' | 'node' | 'create' | 'wait';

export interface StepInfo {
  id: StepId;
  label: string;
  /** A phase name of `cluster up` (src/cluster/up.ts, kit.ts) that belongs to this step. */
  match: RegExp;
  /** Seconds when nothing was ever measured on this machine (cold kit on two cores). */
  defaultSeconds: number;
  /** Part of the offline kit: skipped (a second or two) when the kit cache is warm. */
  kit?: boolean;
}

export const STEPS: readonly StepInfo[] = [
  { id: 'host', label: 'Preparing the host (Docker engine)', match: /^preparing the host/i, defaultSeconds: 90 },
  { id: 'docker', label: 'Checking Docker', match: /^checking Docker/, defaultSeconds: 4 },
  {
    id: 'go',
    label: 'Building Kubernetes from source',
    match: /^building kind and Kubernetes/,
    defaultSeconds: 540,
    kit: true,
  },
  {
    id: 'rootfs',
    label: 'Building Debian root filesystems',
    match: /Debian root filesystems/,
    defaultSeconds: 150,
    kit: true,
  },
  {
    id: 'images',
    label: 'Building the lab images',
    match: /control-plane and lab images|building the lab images/,
    defaultSeconds: 150,
    kit: true,
  },
  { id: 'node', label: 'Assembling the node image', match: /assembling the node image/, defaultSeconds: 60, kit: true },
  {
    id: 'create',
    label: 'Starting the cluster',
    match: /kind cluster|replacing cluster|already up|loading the lab images/,
    defaultSeconds: 25,
  },
  { id: 'wait', label: 'Waiting for Kubernetes to be ready', match: /^waiting for the node/, defaultSeconds: 15 },
];

/** Seconds a warm kit step takes (the scripts only check their caches). */
const WARM_KIT_SECONDS = 2;
/** A kit step shorter than this did not build anything; its time says nothing about a cold build. */
const KIT_WORK_SECONDS = 20;

/** Seconds per step; `warmKit`: what the kit's steps took together when they only checked their caches. */
export type Durations = Partial<Record<StepId | 'warmKit', number>>;

export function stepOfPhase(phase: string): StepInfo | undefined {
  return STEPS.find((s) => s.match.test(phase));
}

/** The steps this run will count: the kit's only when cold, the host's only when it needs preparing. */
export function planSteps(opts: { cold: boolean; prepareHost: boolean }): StepInfo[] {
  return STEPS.filter((s) => (s.id !== 'host' || opts.prepareHost) && (!s.kit || opts.cold));
}

export function estimate(step: StepInfo, measured: Durations, cold: boolean): number {
  if (step.kit && !cold) return WARM_KIT_SECONDS;
  const own = measured[step.id] ?? step.defaultSeconds;
  // Warm, the kit's cache checks run inside the "Checking Docker" step of the plan.
  return step.id === 'docker' && !cold ? own + (measured.warmKit ?? 4 * WARM_KIT_SECONDS) : own;
}

/** Seconds left: what remains of the current step (at least a little) plus every later planned step. */
export function etaSeconds(
  plan: StepInfo[],
  current: number,
  inStepSeconds: number,
  measured: Durations,
  cold: boolean,
): number {
  if (current < 0) return plan.reduce((sum, s) => sum + estimate(s, measured, cold), 0);
  const here = plan[current];
  if (!here) return 0;
  const rest = plan.slice(current + 1).reduce((sum, s) => sum + estimate(s, measured, cold), 0);
  const own = estimate(here, measured, cold);
  return Math.round(rest + Math.max(own - inStepSeconds, Math.min(5, own * 0.1)));
}

/** "about 9 min left", "~20 s". */
export function formatEta(seconds: number): string {
  if (seconds >= 90) return `about ${Math.round(seconds / 60)} min left`;
  return `~${Math.max(5, Math.round(seconds / 5) * 5)} s`;
}

/** The one line the panel and the console show while the cluster comes up. */
export function progressLine(plan: StepInfo[], current: number, eta: number, cold: boolean): string {
  const step = plan[Math.max(0, current)];
  if (!step) return 'Starting the cluster';
  if (!cold && plan.length <= 3) return `${step.label}, ${formatEta(eta)}`;
  return `${step.label}, step ${Math.max(0, current) + 1} of ${plan.length}, ${formatEta(eta)}`;
}

// ------------------------------------------------------------------------- measured durations

export function durationsFile(): string {
  return join(cacheDir(), 'step-times.json');
}

export function readDurations(file = durationsFile()): Durations {
  try {
    const raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    const out: Durations = {};
    for (const s of STEPS) {
      const v = raw[s.id];
      if (typeof v === 'number' && Number.isFinite(v) && v >= 0) out[s.id] = v;
    }
    return out;
  } catch {
    return {};
  }
}

/** Merges one run's step times into the record; kit steps that only checked their cache are not kept. */
export function mergeDurations(old: Durations, run: Durations): Durations {
  const merged: Durations = { ...old };
  const kit = STEPS.filter((s) => s.kit).map((s) => run[s.id]);
  if (kit.every((v) => v !== undefined && v < KIT_WORK_SECONDS))
    merged.warmKit = Math.round(kit.reduce((a, v) => a! + v!, 0)! * 10) / 10;
  for (const s of STEPS) {
    const v = run[s.id];
    if (v === undefined) continue;
    if (s.kit && v < KIT_WORK_SECONDS) continue;
    merged[s.id] = Math.round(v * 10) / 10;
  }
  return merged;
}

export function recordDurations(run: Durations, file = durationsFile()): void {
  try {
    mkdirSync(dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(mergeDurations(readDurations(file), run), null, 2) + '\n');
    renameSync(tmp, file);
  } catch {
    // A read-only cache only costs us better estimates next time.
  }
}
