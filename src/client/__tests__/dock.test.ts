import { describe, expect, it } from 'vitest';
import { bounds, isFocusShortcut } from '../dock.ts';
import { labStatus } from '../course-progress.ts';

describe('dock', () => {
  it('keeps room for the lesson beside (wide) or above (narrow) the lab', () => {
    expect(bounds(true, { width: 1400, height: 900 })).toEqual([320, 1400 - 300 - 320]);
    expect(bounds(false, { width: 700, height: 900 })).toEqual([192, 900 - 64 - 128]);
    // Tiny screens: the bounds never invert.
    const [min, max] = bounds(true, { width: 500, height: 400 });
    expect(max).toBeGreaterThanOrEqual(min);
  });

  it('takes Alt+Shift+L by physical key, and nothing else', () => {
    const key = (o: Partial<KeyboardEvent>) =>
      ({ altKey: false, shiftKey: false, ctrlKey: false, metaKey: false, code: '', ...o }) as KeyboardEvent;
    expect(isFocusShortcut(key({ altKey: true, shiftKey: true, code: 'KeyL' }))).toBe(true);
    expect(isFocusShortcut(key({ altKey: true, code: 'KeyL' }))).toBe(false);
    expect(isFocusShortcut(key({ altKey: true, shiftKey: true, ctrlKey: true, code: 'KeyL' }))).toBe(false);
  });
});

describe('course progress', () => {
  it('counts passed steps of the lab only; done when all passed', () => {
    expect(labStatus(['a', 'b'], ['a', 'x'])).toEqual({ passed: 1, total: 2, done: false });
    expect(labStatus(['a', 'b'], ['b', 'a'])).toEqual({ passed: 2, total: 2, done: true });
    expect(labStatus([], [])).toEqual({ passed: 0, total: 0, done: false });
  });
});
