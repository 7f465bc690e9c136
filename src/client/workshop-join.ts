// Workshop mode in a lesson page: when the lab server runs a workshop, a "Join the workshop" form
// (event code + display name, entered once) appears above each lab, and the instructor's message
// banner shows at the top of the page. Outside a workshop /api/workshop answers 404 and nothing
// changes. Never innerHTML: names and banners are text.
import { loadIdentity, saveIdentity, type WorkshopIdentity } from './workshop-identity.ts';

const STYLE = `
.sl-workshop-join{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:end;margin:.75rem 0;padding:.75rem;border:1px solid var(--sl-color-accent);border-radius:.4rem}
.sl-workshop-join h3{flex-basis:100%;margin:0;font-size:var(--sl-text-base)}
.sl-workshop-join p{flex-basis:100%;margin:0}
.sl-workshop-join label{display:flex;flex-direction:column;gap:.2rem;font-size:var(--sl-text-sm)}
.sl-workshop-join input{padding:.3rem .5rem;border:1px solid var(--sl-color-gray-4);border-radius:.25rem;background:var(--sl-color-black);color:var(--sl-color-white)}
.sl-workshop-join [role=alert]{color:var(--sl-color-red-high, #b00020);font-weight:600}
.sl-workshop-joined{margin:.5rem 0;font-size:var(--sl-text-sm)}
.sl-workshop-banner{position:sticky;top:var(--sl-nav-height, 3.5rem);z-index:10;margin:0 0 1rem;padding:.6rem 1rem;border-radius:.4rem;background:var(--sl-color-accent-high);color:var(--sl-color-black);font-weight:600}
`;

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Partial<HTMLElementTagNameMap[K]> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const e = Object.assign(document.createElement(tag), props);
  e.append(...children);
  return e;
}

interface JoinAnswer {
  name?: string;
  learnerId?: string;
  error?: string;
  fix?: string;
}

async function postJoin(code: string, name: string): Promise<JoinAnswer & { ok: boolean }> {
  try {
    const res = await fetch('/api/workshop/join', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code, name }),
    });
    return { ok: res.ok, ...((await res.json()) as JoinAnswer) };
  } catch {
    return { ok: false, error: 'The workshop server does not answer.', fix: 'check your network, then try again' };
  }
}

function joinedLine(lab: HTMLElement, id: WorkshopIdentity): HTMLElement {
  const change = el('button', { type: 'button', textContent: 'Change' });
  const line = el('p', { className: 'sl-workshop-joined' }, `In the workshop as “${id.name}”. `, change);
  change.addEventListener('click', () => {
    saveIdentity(undefined);
    line.replaceWith(joinForm(lab, id.name));
  });
  return line;
}

function joinForm(lab: HTMLElement, name = ''): HTMLElement {
  const n = lab.dataset.lab ?? 'lab';
  const code = el('input', {
    name: 'code',
    id: `ws-code-${n}`,
    autocomplete: 'off',
    required: true,
    maxLength: 64,
    spellcheck: false,
  });
  const who = el('input', { name: 'name', id: `ws-name-${n}`, required: true, maxLength: 40, value: name });
  who.setAttribute('autocomplete', 'nickname');
  const error = el('p', { hidden: true });
  error.setAttribute('role', 'alert');
  const form = el(
    'form',
    { className: 'sl-workshop-join' },
    el('h3', { id: `ws-title-${n}` }, 'Join the workshop'),
    el(
      'p',
      {},
      'Enter the event code your instructor gave you and the name they should see. You do this once; "Start lab" needs it.',
    ),
    el('label', { htmlFor: code.id }, 'Event code', code),
    el('label', { htmlFor: who.id }, 'Your name', who),
    el('button', { type: 'submit' }, 'Join'),
    error,
  );
  form.setAttribute('aria-labelledby', `ws-title-${n}`);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void (async () => {
      const r = await postJoin(code.value, who.value);
      if (!r.ok || !r.learnerId || !r.name) {
        error.hidden = false;
        error.textContent = `${r.error ?? 'Could not join.'}${r.fix ? ` To fix it: ${r.fix}.` : ''}`;
        code.focus();
        return;
      }
      const id = { code: code.value, name: r.name, learnerId: r.learnerId };
      saveIdentity(id);
      // every lab on the page shows it joined (and only this one takes the focus)
      for (const other of document.querySelectorAll<HTMLElement>('.sl-workshop-join')) {
        const l = other.closest<HTMLElement>('[data-lab]');
        if (l) other.replaceWith(joinedLine(l, id));
      }
      lab.querySelector<HTMLButtonElement>('[data-act="start"]')?.focus();
    })();
  });
  return form;
}

function showBanner(text: string | null): void {
  let banner = document.querySelector<HTMLElement>('.sl-workshop-banner');
  if (!banner) {
    banner = el('div', { className: 'sl-workshop-banner', hidden: true });
    banner.setAttribute('role', 'status');
    banner.setAttribute('aria-label', 'Message from the instructor');
    (document.querySelector('main') ?? document.body).prepend(banner);
  }
  banner.hidden = !text;
  if (banner.textContent !== `Instructor: ${text}`) banner.textContent = text ? `Instructor: ${text}` : '';
}

async function workshopInfo(): Promise<{ workshop: boolean; banner: string | null } | undefined> {
  try {
    const res = await fetch('/api/workshop', { headers: { accept: 'application/json' } });
    if (!res.ok) return undefined;
    return (await res.json()) as { workshop: boolean; banner: string | null };
  } catch {
    return undefined;
  }
}

export async function initWorkshop(): Promise<void> {
  const labs = [...document.querySelectorAll<HTMLElement>('[data-lab]')];
  if (labs.length === 0 || document.querySelector('.sl-workshop-join, .sl-workshop-joined')) return;
  // the workshop server marks its pages with a cookie: elsewhere (npm start, a static host) no request
  if (!/(?:^|;\s*)sidecar-labs-workshop=1/.test(document.cookie)) return;
  const info = await workshopInfo();
  if (!info?.workshop) return;
  document.head.append(el('style', { textContent: STYLE }));
  const id = loadIdentity();
  for (const lab of labs) {
    const toolbar = lab.querySelector('.sl-lab-toolbar');
    toolbar?.before(id ? joinedLine(lab, id) : joinForm(lab));
  }
  showBanner(info.banner);
  const timer = setInterval(() => void workshopInfo().then((i) => i && showBanner(i.banner)), 4000);
  window.addEventListener('pagehide', () => clearInterval(timer), { once: true });
}
