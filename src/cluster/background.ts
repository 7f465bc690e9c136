// `npm start` brings its own cluster: when no kind cluster answers, a child process runs
// `sidecar-labs cluster up --progress=json` while the site already serves; its JSON progress lines
// become a ClusterView (GET /api/cluster) with the step, elapsed time and an estimate from the step
// times measured on this machine. The host is prepared first where it must and can be.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { Kube } from '../engine/index.ts';
import { loadKubeConfig, type ClusterChoice } from '../kube/index.ts';
import { parseProgressEvent } from './progress.ts';
import {
  etaSeconds,
  planSteps,
  progressLine,
  readDurations,
  stepOfPhase,
  type Durations,
  type StepInfo,
} from './steps.ts';
import { hostFacts, planHost, type HostAction, type HostFacts } from './host-prep.ts';
import { warmNodeImage } from './kit-state.ts';
import { kindKubeconfigPath, CLUSTER_NAME } from '../kube/paths.ts';
import type { ClusterState, ClusterView } from './view.ts';
import { formatTable, runDoctor } from './doctor/index.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** Does a cluster answer on this kubeconfig? A short ping, no waiting. */
export async function clusterAnswers(choice: ClusterChoice): Promise<boolean> {
  if (choice === 'kind' && !existsSync(kindKubeconfigPath())) return false;
  try {
    const loaded = loadKubeConfig(choice);
    const v = await new Kube(loaded.kc, loaded.describe).ping();
    return v.major > 0 || v.gitVersion !== 'unknown';
  } catch {
    return false;
  }
}

export interface ClusterJobOptions {
  log?: (line: string) => void;
  now?: () => number;
  /** The command that brings the cluster up (tests give a fake); default: our CLI's `cluster up`. */
  command?: string[];
  /** What the machine is like; tests replace the real look (Docker, sudo, the kit's image). */
  look?: Partial<HostLook>;
}

export interface HostLook {
  clusterAnswers: () => Promise<boolean>;
  hostFacts: () => Promise<HostFacts>;
  warm: () => Promise<boolean>;
  durations: () => Durations;
}

const realLook: HostLook = {
  clusterAnswers: () => clusterAnswers('kind'),
  hostFacts: () => hostFacts({ docker: true, chromium: false }),
  warm: async () => Boolean(await warmNodeImage()),
  durations: () => readDurations(),
};

export class ClusterJob {
  private state: ClusterState = 'checking';
  private plan: StepInfo[] = [];
  private current = -1;
  private stepSince = 0;
  private readonly started: number;
  private cold = false;
  private measured: Durations = {};
  private message = 'Looking for the lab cluster';
  private fix: string | undefined;
  private checks: ClusterView['checks'];
  private finished: Promise<void> | undefined;
  private readonly log: (line: string) => void;
  private readonly now: () => number;
  private readonly command: string[];
  private readonly look: HostLook;

  constructor(opts: ClusterJobOptions = {}) {
    this.log = opts.log ?? ((l) => process.stdout.write(`${l}\n`));
    this.now = opts.now ?? Date.now;
    this.command = opts.command ?? [process.execPath, 'src/cli/main.ts', 'cluster', 'up', '--progress=json'];
    this.look = { ...realLook, ...opts.look };
    this.started = this.now();
  }

  /** Starts the work in the background; `done()` resolves when it ends either way. */
  start(): this {
    this.finished ??= this.work().catch((err: unknown) =>
      this.failed(err instanceof Error ? err.message : String(err)),
    );
    return this;
  }

  done(): Promise<void> {
    return this.finished ?? Promise.resolve();
  }

  private async work(): Promise<void> {
    if (await this.look.clusterAnswers()) {
      this.state = 'ready';
      this.message = `The lab cluster "${CLUSTER_NAME}" is ready`;
      return;
    }
    const plan = planHost(await this.look.hostFacts());
    if (!plan.ok) return this.failed(plan.message, plan.command);
    this.measured = this.look.durations();
    this.cold = plan.actions.length > 0 || !(await this.look.warm());
    this.plan = planSteps({ cold: this.cold, prepareHost: plan.actions.length > 0 });
    this.log(
      `Sidecar Labs: no lab cluster yet; creating "${CLUSTER_NAME}" in the background (${this.cold ? 'cold: the offline kit builds Kubernetes first' : 'warm kit'}). The site serves meanwhile.`,
    );
    for (const action of plan.actions) {
      this.enter('preparing the host');
      const code = await this.child(action.cmd, action);
      if (code !== 0)
        return this.failed(
          `preparing the host failed (exit ${code}): ${action.cmd.join(' ')}`,
          'run `sudo bash scripts/kit/host-setup.sh` and read what it prints',
        );
    }
    const code = await this.child(this.command);
    if (code === 0) {
      this.state = 'ready';
      this.message = `The lab cluster "${CLUSTER_NAME}" is ready`;
      this.log(
        `Sidecar Labs: ${this.message} (${Math.round((this.now() - this.started) / 1000)} s); Start lab works now.`,
      );
    } else if (this.state !== 'failed') {
      await this.failed(`cluster up ended with exit code ${code}`);
    }
  }

  /** Moves to the step a phase of `cluster up` belongs to (never backwards), and says so. */
  private enter(phase: string): void {
    const step = stepOfPhase(phase);
    const index = step ? this.plan.findIndex((s) => s.id === step.id) : -1;
    if (index < 0 || index <= this.current) return;
    this.current = index;
    this.stepSince = this.now();
    const s = this.plan[index]!;
    this.state = s.id === 'host' ? 'preparing' : s.kit ? 'building' : 'starting';
    this.log(`Sidecar Labs: cluster: ${this.line()}`);
  }

  private line(): string {
    return progressLine(this.plan, this.current, this.eta(), this.cold);
  }

  private eta(): number {
    return etaSeconds(this.plan, this.current, (this.now() - this.stepSince) / 1000, this.measured, this.cold);
  }

  /** Runs a child, feeding its JSON progress lines in; resolves with its exit code. */
  private child(cmd: string[], action?: HostAction): Promise<number> {
    return new Promise((resolve) => {
      const child = spawn(cmd[0]!, cmd.slice(1), { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
      const onLine = (line: string) => {
        const e = parseProgressEvent(line);
        if (!e) {
          if (action && line.trim()) this.log(`  ${line}`);
          return;
        }
        if (e.t === 'phase') this.enter(e.name);
        if (e.t === 'fail') void this.failed(e.summary.replace(/^✗\s*/, ''));
      };
      createInterface({ input: child.stdout }).on('line', onLine);
      createInterface({ input: child.stderr }).on('line', onLine);
      child.on('error', (err) => {
        this.log(`Sidecar Labs: could not run ${cmd[0]}: ${err.message}`);
        resolve(127);
      });
      child.on('close', (code) => resolve(code ?? 1));
    });
  }

  private async failed(message: string, fix?: string): Promise<void> {
    if (this.state === 'failed') return;
    this.state = 'failed';
    this.message = message;
    this.fix = fix;
    this.log(`Sidecar Labs: the lab cluster could not be created: ${message}`);
    if (fix) {
      this.log(`Sidecar Labs: to fix it: ${fix}`);
      return;
    }
    const results = await runDoctor({ cluster: 'kind', hostOnly: true }).catch(() => []);
    this.checks = results.filter((r) => r.status === 'fail');
    this.fix =
      this.checks[0]?.fix ?? 'run `npx sidecar-labs doctor` to see what is missing, fix it, then restart `npm start`';
    this.log(`Sidecar Labs: sidecar-labs doctor says:\n${formatTable(results)}Sidecar Labs: to fix it: ${this.fix}`);
  }

  view(): ClusterView {
    const working = this.state !== 'ready' && this.state !== 'failed' && this.plan.length > 0;
    const step = this.plan[Math.max(0, this.current)];
    return {
      state: this.state,
      phase: working && step ? step.label : '',
      step: working ? Math.max(0, this.current) + 1 : 0,
      of: working ? this.plan.length : 0,
      elapsedSeconds: Math.round((this.now() - this.started) / 1000),
      etaSeconds: working ? this.eta() : 0,
      message: working ? this.line() : this.message,
      ...(this.fix ? { fix: this.fix } : {}),
      ...(this.checks?.length ? { checks: this.checks } : {}),
    };
  }
}

// ------------------------------------------------------------------ the process's one view

let job: ClusterJob | undefined;
let probed: { at: number; view: Promise<ClusterView> } | undefined;

/** `npm start` calls this once (unless --no-cluster); the job is what GET /api/cluster reports. */
export function startClusterJob(opts: ClusterJobOptions = {}): ClusterJob {
  job ??= new ClusterJob(opts).start();
  return job;
}

async function probe(choice: ClusterChoice): Promise<ClusterView> {
  const base = { phase: '', step: 0, of: 0, elapsedSeconds: 0, etaSeconds: 0 };
  if (await clusterAnswers(choice)) return { ...base, state: 'ready', message: 'The lab cluster is ready' };
  return choice === 'kind'
    ? {
        ...base,
        state: 'absent',
        message: 'No lab cluster is running.',
        fix: 'run `npx sidecar-labs cluster up` (or restart `npm start`, which creates it)',
      }
    : {
        ...base,
        state: 'failed',
        message: 'The cluster of your kubeconfig does not answer.',
        fix: 'check it with `kubectl cluster-info`, or run `npx sidecar-labs doctor --cluster current`',
      };
}

/** The lab cluster as the panel should show it: the job's progress, else a cached look (3 s). */
export async function clusterView(choice: ClusterChoice, now = Date.now()): Promise<ClusterView> {
  const mine = choice === 'kind' ? job?.view() : undefined;
  if (mine && mine.state !== 'failed') return mine;
  if (!probed || now - probed.at > 3000) probed = { at: now, view: probe(choice) };
  const seen = await probed.view;
  // A failed job stays failed until the cluster answers (the user fixed it by hand).
  return mine && seen.state !== 'ready' ? mine : seen;
}
