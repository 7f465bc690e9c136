// What the lab panel tells other modules (cluster status, workshop join, ...), as DOM events on the
// <sl-lab-panel> element, so they plug in without editing the panel:
//
//   panel.addEventListener(PANEL_STATE, (e) => console.log(e.detail.state, e.detail.session));
//
// Modules put their markup into the panel's slots (Lab.astro): [data-slot="before-start"],
// [data-slot="status"], [data-slot="live"].
export type PanelState = 'idle' | 'busy' | 'running';

export interface PanelStateDetail {
  state: PanelState;
  /** The running session (id + token for API calls), when there is one. */
  session?: { id: string; token: string };
}

export const PANEL_STATE = 'sl-lab:state';

export function emitState(panel: HTMLElement, detail: PanelStateDetail): void {
  panel.dispatchEvent(new CustomEvent<PanelStateDetail>(PANEL_STATE, { detail, bubbles: true }));
}

/** A step's check answered (its result is already in localStorage): progress displays may refresh. */
export const PANEL_PROGRESS = 'sl-lab:progress';

export function emitProgress(panel: HTMLElement, detail: { step: number; ok: boolean }): void {
  panel.dispatchEvent(new CustomEvent(PANEL_PROGRESS, { detail, bubbles: true }));
}
