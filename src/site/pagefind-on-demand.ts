/**
 * Stands in for `@pagefind/default-ui` (see the alias in astro.config.mjs). Starlight's search
 * box builds Pagefind's UI as soon as the browser is idle, which makes every page fetch ~94 kB
 * of JavaScript that most readers never use. This class takes the same options but loads and
 * builds the real UI only when the reader shows intent to search: pointing at or focusing the
 * search button, opening the dialog, or pressing Ctrl/Cmd+K.
 */
type Options = { element: string } & Record<string, unknown>;

export class PagefindUI {
  constructor(options: Options) {
    const button = document.querySelector<HTMLButtonElement>('button[data-open-modal]');
    // Read before the real UI gets the options object: it takes `element` out of it.
    const container = options.element;
    const dialog = button?.closest('site-search')?.querySelector('dialog');
    let loading: Promise<void> | undefined;
    const load = () => {
      loading ??= import('@pagefind/default-ui/npm_dist/mjs/ui-core.mjs').then(({ PagefindUI: Real }) => {
        new Real(options);
        // The dialog may have opened before the UI existed (keyboard shortcut): once the UI has
        // rendered its search box, give it the focus the dialog could not.
        let frames = 0;
        const focusWhenReady = () => {
          const input = document.querySelector<HTMLInputElement>(`${container} input`);
          if (input) {
            if (dialog?.open && document.activeElement !== input) input.focus();
          } else if (frames++ < 120) {
            requestAnimationFrame(focusWhenReady);
          }
        };
        focusWhenReady();
      });
    };
    // Pointing at or focusing the button starts the download a moment before the click.
    for (const event of ['pointerenter', 'focus', 'touchstart']) {
      button?.addEventListener(event, load, { once: true, passive: true });
    }
    // However the dialog opens (click, Ctrl/Cmd+K, or before this constructor even ran), load.
    if (!dialog || dialog.open) load();
    else new MutationObserver(() => dialog.open && load()).observe(dialog, { attributeFilter: ['open'] });
  }
}
