// What a lab's shell commands create, read from the kubectl command lines of its steps (what the learner
// types and what the solutions run): `kubectl run web`, `kubectl create job x`, `kubectl expose … --name`,
// `kubectl debug … -c dbg`. Commands that carry YAML of their own (a heredoc, `-f -`) are "opaque": the
// names in them count, and label selectors are not checked.

export interface CommandInventory {
  /** kind → names created by commands. */
  objects: Map<string, Set<string>>;
  /** pod → containers commands add or create (kubectl run, kubectl debug -c). */
  containers: Map<string, Set<string>>;
  /** Pod labels commands create: kubectl run (run=NAME), create deployment (app=NAME), create job (job-name=NAME). */
  podLabels: Record<string, string>[];
  /** Names that appear as `name: x` in YAML carried by a command. */
  inlineNames: Set<string>;
  /** Some command embeds YAML or relabels objects: selectors cannot be judged statically. */
  opaque: boolean;
}

const KIND_ALIASES: Record<string, string> = {
  deployment: 'Deployment',
  deploy: 'Deployment',
  job: 'Job',
  cronjob: 'CronJob',
  cj: 'CronJob',
  configmap: 'ConfigMap',
  cm: 'ConfigMap',
  secret: 'Secret',
  serviceaccount: 'ServiceAccount',
  sa: 'ServiceAccount',
  service: 'Service',
  svc: 'Service',
};

const VERBS = new Set(['run', 'create', 'expose', 'debug', 'label']);

/** Words of a shell command line, quotes removed (enough for kubectl arguments). */
function words(line: string): string[] {
  return (line.match(/"[^"]*"|'[^']*'|[^\s;&|()]+/g) ?? []).map((w) => w.replace(/^["']|["']$/g, ''));
}

/** The value of --flag=value / --flag value / -f value among args. */
function flag(args: string[], ...names: string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    for (const n of names) {
      if (args[i] === n) return args[i + 1];
      if (args[i].startsWith(`${n}=`)) return args[i].slice(n.length + 1);
    }
  }
  return undefined;
}

function add(map: Map<string, Set<string>>, key: string, value: string): void {
  const set = map.get(key) ?? new Set<string>();
  set.add(value);
  map.set(key, set);
}

/** One kubectl invocation (the words after `kubectl`). */
function kubectl(args: string[], inv: CommandInventory): void {
  const all = args.filter((a) => !a.startsWith('-'));
  const plain = all.slice(
    Math.max(
      0,
      all.findIndex((w) => VERBS.has(w)),
    ),
  );
  const [verb, a1, a2] = plain;
  if (verb === 'run' && a1) {
    add(inv.objects, 'Pod', a1);
    add(inv.containers, a1, a1);
    inv.podLabels.push({ run: a1 });
  } else if (verb === 'create' && a1 && KIND_ALIASES[a1]) {
    const kind = KIND_ALIASES[a1];
    const name =
      kind === 'Service' || (kind === 'Secret' && ['generic', 'tls', 'docker-registry'].includes(a2 ?? ''))
        ? plain[3]
        : a2;
    if (name) add(inv.objects, kind, name);
    if (name && kind === 'Deployment') inv.podLabels.push({ app: name });
    if (name && kind === 'Job') inv.podLabels.push({ 'job-name': name, 'batch.kubernetes.io/job-name': name });
  } else if (verb === 'expose' && a1) {
    const name = flag(args, '--name') ?? (a1.includes('/') ? a1.split('/')[1] : a2);
    if (name) add(inv.objects, 'Service', name);
  } else if (verb === 'debug' && a1) {
    const pod = a1.replace(/^(pods?|po)\//, '');
    const copy = flag(args, '--copy-to');
    const container = flag(args, '-c', '--container');
    if (copy) add(inv.objects, 'Pod', copy);
    if (container) add(inv.containers, copy ?? pod, container);
  } else if (verb === 'label') inv.opaque = true;
}

/** Everything the given command lines create. */
export function commandInventory(lines: string[]): CommandInventory {
  const inv: CommandInventory = {
    objects: new Map(),
    containers: new Map(),
    podLabels: [],
    inlineNames: new Set(),
    opaque: false,
  };
  for (const line of lines) {
    if (/<<|\s-f\s*-(\s|$)|--filename[= ]-(\s|$)/.test(line)) {
      inv.opaque = true;
      for (const m of line.matchAll(/\bname:\s*["']?([a-z0-9][-a-z0-9.]*)/g)) inv.inlineNames.add(m[1]);
    }
    for (const segment of line.split(/\n|&&|\|\||;|\|/)) {
      const w = words(segment);
      const i = w.findIndex((x) => x === 'kubectl' || x.endsWith('/kubectl'));
      if (i >= 0) kubectl(w.slice(i + 1), inv);
    }
  }
  return inv;
}
