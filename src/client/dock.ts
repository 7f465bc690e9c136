// While a lab runs, the panel docks: beside the lesson on wide screens (lab on the right), as a sheet
// along the bottom on narrow ones, so the terminal and the current step stay in view while the
// learner scrolls the lesson. A drag handle (also a keyboard-operable separator) sizes it, and
// Alt+Shift+L moves focus between the lesson and the terminal. Styles: src/components/lab/dock.css.
import { storage } from './panel/session.ts';

const KEY = 'sidecar-labs:dock';
/** Wide enough for lesson and lab side by side (Starlight's table-of-contents breakpoint). */
const WIDE = '(min-width: 72rem)';
const STEP = 24;

interface Sizes {
  /** Share of the viewport's width (wide) and height (narrow). */
  w: number;
  h: number;
}

function loadSizes(): Sizes {
  try {
    const s = JSON.parse(storage()?.getItem(KEY) ?? '{}') as Partial<Sizes>;
    return { w: typeof s.w === 'number' ? s.w : 0.42, h: typeof s.h === 'number' ? s.h : 0.6 };
  } catch {
    return { w: 0.42, h: 0.6 };
  }
}

/** Is the key the focus shortcut (Alt+Shift+L, by physical key so any layout works)? */
export function isFocusShortcut(e: KeyboardEvent): boolean {
  return e.altKey && e.shiftKey && !e.ctrlKey && !e.metaKey && e.code === 'KeyL';
}

/** Pixel bounds of the dock: the lesson keeps at least 20rem beside (or 8rem above) it. */
export function bounds(wide: boolean, viewport: { width: number; height: number }, rem = 16): [number, number] {
  if (wide) return [20 * rem, Math.max(20 * rem, viewport.width - 18.75 * rem - 20 * rem)];
  return [12 * rem, Math.max(12 * rem, viewport.height - 4 * rem - 8 * rem)];
}

export class Dock {
  private readonly panel: HTMLElement;
  private readonly handle: HTMLElement;
  private readonly focusTerminal: () => void;
  private readonly sizes = loadSizes();
  private readonly media = matchMedia(WIDE);
  private lastInLesson: HTMLElement | undefined;
  private readonly abort = new AbortController();

  constructor(panel: HTMLElement, focusTerminal: () => void) {
    this.panel = panel;
    this.handle = panel.querySelector<HTMLElement>('.sl-lab-resize')!;
    this.focusTerminal = focusTerminal;
  }

  open(): void {
    if (this.abort.signal.aborted || this.panel.dataset.docked !== undefined) return;
    const signal = this.abort.signal;
    document.documentElement.dataset.labDocked = '';
    this.panel.dataset.docked = '';
    this.handle.hidden = false;
    this.apply();
    this.media.addEventListener('change', () => this.apply(), { signal });
    window.addEventListener('resize', () => this.apply(), { signal });
    this.handle.addEventListener('keydown', (e) => this.onKey(e), { signal });
    this.handle.addEventListener('pointerdown', (e) => this.onPointerDown(e), { signal });
    document.addEventListener('keydown', (e) => this.onShortcut(e), { capture: true, signal });
    document.addEventListener('focusin', (e) => this.remember(e), { signal });
  }

  close(): void {
    this.abort.abort();
    delete document.documentElement.dataset.labDocked;
    delete this.panel.dataset.docked;
    this.handle.hidden = true;
  }

  private wide(): boolean {
    return this.media.matches;
  }

  /** Size in pixels from the stored share, within bounds; written to CSS and to the separator. */
  private apply(px?: number): void {
    const wide = this.wide();
    const whole = wide ? window.innerWidth : window.innerHeight;
    const [min, max] = bounds(wide, { width: window.innerWidth, height: window.innerHeight });
    const size = Math.round(Math.min(max, Math.max(min, px ?? whole * (wide ? this.sizes.w : this.sizes.h))));
    if (px !== undefined) this.sizes[wide ? 'w' : 'h'] = size / whole;
    document.documentElement.style.setProperty('--sl-lab-dock-size', `${size}px`);
    this.handle.setAttribute('aria-orientation', wide ? 'vertical' : 'horizontal');
    this.handle.setAttribute('aria-valuemin', String(min));
    this.handle.setAttribute('aria-valuemax', String(max));
    this.handle.setAttribute('aria-valuenow', String(size));
    this.handle.setAttribute('aria-valuetext', `lab panel ${size} pixels ${wide ? 'wide' : 'high'}`);
  }

  private current(): number {
    return Number(this.handle.getAttribute('aria-valuenow'));
  }

  private save(): void {
    try {
      storage()?.setItem(KEY, JSON.stringify(this.sizes));
    } catch {
      /* not kept */
    }
  }

  private onKey(e: KeyboardEvent): void {
    const grow = this.wide() ? 'ArrowLeft' : 'ArrowUp';
    const shrink = this.wide() ? 'ArrowRight' : 'ArrowDown';
    const step = e.shiftKey ? STEP * 4 : STEP;
    const [min, max] = bounds(this.wide(), { width: window.innerWidth, height: window.innerHeight });
    const target = { [grow]: this.current() + step, [shrink]: this.current() - step, Home: min, End: max }[e.key];
    if (target === undefined) return;
    e.preventDefault();
    this.apply(target);
    this.save();
  }

  private onPointerDown(e: PointerEvent): void {
    e.preventDefault();
    this.handle.setPointerCapture(e.pointerId);
    const move = (ev: PointerEvent) =>
      this.apply(this.wide() ? window.innerWidth - ev.clientX : window.innerHeight - ev.clientY);
    const up = () => {
      this.handle.removeEventListener('pointermove', move);
      this.save();
    };
    this.handle.addEventListener('pointermove', move);
    this.handle.addEventListener('pointerup', up, { once: true });
    this.handle.addEventListener('pointercancel', up, { once: true });
  }

  private remember(e: FocusEvent): void {
    const t = e.target;
    if (t instanceof HTMLElement && !this.panel.contains(t)) this.lastInLesson = t;
  }

  /** Alt+Shift+L: from the lesson to the terminal, and back to where the learner was in the lesson. */
  private onShortcut(e: KeyboardEvent): void {
    if (!isFocusShortcut(e)) return;
    e.preventDefault();
    e.stopPropagation();
    if (!this.panel.contains(document.activeElement)) {
      this.focusTerminal();
      return;
    }
    const back = this.lastInLesson?.isConnected ? this.lastInLesson : document.querySelector<HTMLElement>('main h1');
    if (back && !back.matches('a, button, input, select, textarea, [tabindex]')) back.tabIndex = -1;
    back?.focus();
  }
}
