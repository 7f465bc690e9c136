import { describe, it, expect } from 'vitest';
import { CHECK_DEFINITIONS, checkDefinition } from '../registry.ts';
import { Check, CHECK_TYPES } from '../../schema.ts';
import { checkTitle, DEFAULT_SETTLE_SECONDS, DEFAULT_TIMEOUT_SECONDS } from '../../checks.ts';

describe('check registry', () => {
  it('each definition owns the schema of its own type, once', () => {
    const types = CHECK_DEFINITIONS.map((d) => d.type);
    expect(new Set(types).size).toBe(types.length);
    for (const d of CHECK_DEFINITIONS) expect((d.schema as any).shape.type.value).toBe(d.type);
  });

  it('the lab format is composed from the registry, in its order', () => {
    expect(CHECK_TYPES).toEqual(CHECK_DEFINITIONS.map((d) => d.type));
  });

  it('the default tables come from the definitions', () => {
    expect(DEFAULT_SETTLE_SECONDS).toMatchObject({ podReady: 5, containerRunning: 3, exec: 0 });
    expect(DEFAULT_TIMEOUT_SECONDS).toMatchObject({ podReady: 90, restartsStable: 120, script: 60 });
  });

  it("titles: the author's, else the type's own", () => {
    expect(checkTitle(Check.parse({ type: 'jobComplete', job: 'report' }))).toBe('Job "report" complete');
    expect(checkTitle(Check.parse({ type: 'jobComplete', job: 'report', title: 'done' }))).toBe('done');
    expect(checkTitle(Check.parse({ type: 'containerRunning', selector: 'app=x', container: 'c' }))).toBe(
      'container "c" of pods matching "app=x" running',
    );
  });

  it('an unknown type is refused by name', () => {
    expect(() => checkDefinition('nope')).toThrow('unknown check type "nope"');
  });
});
