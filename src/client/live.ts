// Everything the lab panel needs once a lab runs, in one lazily imported chunk: the terminal
// (xterm.js), the live Pod view and the docked layout. Lesson pages do not load it before "Start lab".
export { LabTerminal } from './terminal.ts';
export { Dock } from './dock.ts';
export { definePodView, PodViewElement } from './pod-view.ts';
