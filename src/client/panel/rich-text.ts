// Text with `code` spans as DOM nodes (never innerHTML: messages can echo what the learner typed).
export function richText(target: HTMLElement, text: string): void {
  for (const part of text.split(/(`[^`]+`)/)) {
    if (!part) continue;
    if (part.length > 1 && part.startsWith('`') && part.endsWith('`')) {
      const code = document.createElement('code');
      code.textContent = part.slice(1, -1);
      target.append(code);
    } else {
      target.append(part);
    }
  }
}
