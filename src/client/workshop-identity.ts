// Who this learner is in a workshop: the event code and the display name they entered once, kept in
// localStorage. Sent with "Start lab" so the server can refuse learners without the code and show
// the name on the instructor's roster. Empty outside workshops.
export interface WorkshopIdentity {
  code: string;
  name: string;
  learnerId: string;
}

const KEY = 'sidecar-labs:workshop';

export function loadIdentity(): WorkshopIdentity | undefined {
  try {
    const v = JSON.parse(window.localStorage.getItem(KEY) ?? 'null') as Partial<WorkshopIdentity> | null;
    if (v && typeof v.code === 'string' && typeof v.name === 'string' && typeof v.learnerId === 'string')
      return v as WorkshopIdentity;
  } catch {
    /* no storage, or junk in it */
  }
  return undefined;
}

export function saveIdentity(id: WorkshopIdentity | undefined): void {
  try {
    if (id) window.localStorage.setItem(KEY, JSON.stringify(id));
    else window.localStorage.removeItem(KEY);
  } catch {
    /* private mode: the learner joins again after a reload */
  }
}

/** Fields for the start request (nothing outside a workshop). */
export function identityFields(): Partial<WorkshopIdentity> {
  const id = typeof window === 'undefined' ? undefined : loadIdentity();
  return id ? { code: id.code, name: id.name, learnerId: id.learnerId } : {};
}
