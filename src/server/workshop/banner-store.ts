// The instructor's banner, kept in the cluster so every server process of a room shows the same one:
// an annotation on a namespace of its own (`sidecar-labs-workshop`; cluster-scoped, so no learner's
// namespaced role can read or forge it). Each process watches that namespace and answers from what
// the watch last saw; a write is seen by the writer at once and by the others within the watch's delay.
import type { V1Namespace } from '@kubernetes/client-node';

export const BANNER_NAMESPACE = 'sidecar-labs-workshop';
export const ANN_BANNER = 'sidecar-labs.dev/banner';
export const BANNER_MAX = 500;

/** What the store needs from the cluster (the Kube class in production, a fake in tests). */
export interface BannerBackend {
  /** Create or update the namespace with this banner annotation. */
  write(namespace: V1Namespace): Promise<void>;
  /** Watch the namespace; onChange gets it (or undefined when it does not exist). Returns a stop function. */
  watch(onChange: (ns: V1Namespace | undefined) => void, onError: (e: unknown) => void): () => void;
}

export function bannerNamespace(text: string): V1Namespace {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: BANNER_NAMESPACE,
      labels: { 'app.kubernetes.io/managed-by': 'sidecar-labs', 'app.kubernetes.io/part-of': 'sidecar-labs' },
      annotations: { [ANN_BANNER]: text },
    },
  };
}

/** Trim, collapse control characters, bound the length: what every process shows is the same plain text. */
export function cleanBanner(text: string): string {
  return text
    .replace(/\p{Cc}+/gu, ' ')
    .trim()
    .slice(0, BANNER_MAX);
}

export class BannerStore {
  private readonly backend: () => BannerBackend;
  private current = '';
  private stopWatch: (() => void) | undefined;
  private readonly log: (line: string) => void;

  constructor(backend: () => BannerBackend, log: (line: string) => void = () => {}) {
    this.backend = backend;
    this.log = log;
  }

  /** The banner as this process last saw it ('' = none). */
  get text(): string {
    return this.current;
  }

  /** Follow the cluster's banner (after the server listens: the cluster may not exist before). */
  start(): void {
    let failing = false;
    this.stopWatch ??= this.backend().watch(
      (ns) => {
        failing = false;
        this.current = cleanBanner(
          ns?.metadata?.deletionTimestamp ? '' : (ns?.metadata?.annotations?.[ANN_BANNER] ?? ''),
        );
      },
      (e) => {
        // the watch re-lists by itself; say it once, not every second
        if (!failing) this.log(`workshop: banner watch: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
        failing = true;
      },
    );
  }

  stop(): void {
    this.stopWatch?.();
  }

  /** Show `text` to every learner of the room ('' clears it); every process's watch picks it up. */
  async set(text: string): Promise<string> {
    const clean = cleanBanner(text);
    await this.backend().write(bannerNamespace(clean));
    this.current = clean;
    return clean;
  }
}
