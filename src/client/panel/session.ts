// The panel's lab session: the API calls and what is kept in localStorage (passed steps, the running
// session's id and token). No DOM here.
import * as api from '../api-client.ts';
import { ProgressStore, rebuildTarget, type KeyValue, type LabProgress } from '../store.ts';

export type Credentials = { id: string; token: string };
type OnProgress = (p: api.ProgressLine) => void;

export function storage(): KeyValue | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined;
  }
}

export class LabSession {
  readonly slug: string;
  readonly stepIds: string[];
  private readonly store: ProgressStore;
  /** The running session, if any. */
  current: Credentials | undefined;

  constructor(slug: string, stepIds: string[]) {
    this.slug = slug;
    this.stepIds = stepIds;
    this.store = new ProgressStore(slug, storage());
  }

  progress(): LabProgress {
    return this.store.load();
  }

  /** 0-based step "Rebuild to step N" would bring back, or 0 for nothing to rebuild. */
  rebuildTarget(): number {
    return rebuildTarget(this.stepIds, this.store.load());
  }

  /** The session kept from before a reload, if the server still runs it. */
  async resume(): Promise<Credentials | undefined> {
    const kept = this.store.load().session;
    if (!kept) return undefined;
    if (await api.sessionAlive(kept.id, kept.token)) return (this.current = kept);
    this.forget();
    return undefined;
  }

  async start(onProgress: OnProgress): Promise<Credentials> {
    const s = await api.startSession(this.slug, onProgress);
    this.current = { id: s.id, token: s.token };
    this.store.update((p) => (p.session = this.current));
    return this.current;
  }

  async alive(): Promise<boolean> {
    return this.current ? api.sessionAlive(this.current.id, this.current.token) : false;
  }

  async check(index: number): Promise<api.CheckResult> {
    const r = await api.checkStep(this.must().id, this.must().token, index);
    this.store.markPassed(this.stepIds[index]!, r.ok);
    return r;
  }

  async reset(onProgress: OnProgress): Promise<void> {
    await api.resetSession(this.must().id, this.must().token, onProgress);
    this.store.resetSteps();
  }

  async rebuild(upTo: number, onProgress: OnProgress): Promise<void> {
    await api.rebuildTo(this.must().id, this.must().token, upTo, onProgress);
    this.store.update((p) => delete p.beforeReset);
  }

  async stop(): Promise<void> {
    await api.stopSession(this.must().id, this.must().token);
  }

  /** The session is over: keep the progress, drop the credentials. */
  forget(): void {
    this.current = undefined;
    this.store.update((p) => delete p.session);
  }

  private must(): Credentials {
    if (!this.current) throw new api.LabApiError({ message: 'No lab is running.', fix: 'press "Start lab"' }, 404);
    return this.current;
  }
}
