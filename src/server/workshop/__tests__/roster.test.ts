import { describe, expect, it } from 'vitest';
import {
  classView,
  cleanName,
  markStep,
  parseProgress,
  rosterCsv,
  csvField,
  distinctLabels,
  ANN_LEARNER_ID,
  rosterRow,
  ANN_PROGRESS,
  ANN_LEARNER,
} from '../roster.ts';
import { newEventCode, normalizeCode, sameSecret, workshopFromEnv } from '../config.ts';

describe('progress marks', () => {
  it('records passed and tried-and-failed per step; passed stays passed', () => {
    let p = markStep(undefined, 4, 1, false);
    expect(p).toBe('-f--');
    p = markStep(p, 4, 1, true);
    p = markStep(p, 4, 0, true);
    p = markStep(p, 4, 1, false);
    expect(p).toBe('pp--');
    expect(markStep(p, 4, 9, true)).toBe('pp--');
    expect(parseProgress('px?', 4)).toEqual(['p', '-', '-', '-']);
  });

  it('builds roster rows, the class view and a CSV that a spreadsheet will not execute', () => {
    const now = Date.now();
    const rows = ['ppf-', 'p---', 'pppp'].map((marks, i) =>
      rosterRow(
        {
          sessionId: `s${i}`,
          slug: 'content-sidecar',
          namespace: `ns${i}`,
          createdAt: new Date(now - 60_000).toISOString(),
          expiresAt: new Date(now + 40 * 60_000).toISOString(),
          annotations: { [ANN_PROGRESS]: marks, [ANN_LEARNER]: i === 0 ? '=cmd()' : `L${i}` },
        },
        4,
        45 * 60_000,
      ),
    );
    expect(rows.map((r) => r.currentStep)).toEqual([2, 1, 4]);
    expect(Date.parse(rows[0]!.lastActivity)).toBeGreaterThanOrEqual(now - 6 * 60_000);
    const view = classView(rows, [
      { slug: 'content-sidecar', title: 'T', steps: ['a', 'b', 'c', 'd'] },
      { slug: 'other', title: 'O', steps: ['x'] },
    ]);
    expect(view).toEqual([
      {
        slug: 'content-sidecar',
        title: 'T',
        learners: 3,
        steps: [
          { title: 'a', passed: 3 },
          { title: 'b', passed: 2 },
          { title: 'c', passed: 1 },
          { title: 'd', passed: 1 },
        ],
      },
    ]);
    const csv = rosterCsv(rows).split('\r\n');
    expect(csv[0]).toBe(
      'learner,lab,current step,"steps (p passed, f tried, - not tried)",passed,last activity,expires,session,learner id',
    );
    expect(csv[1]).toMatch(/^'=cmd\(\),content-sidecar,3,ppf-,2,/);
    expect(csv[3]).toMatch(/^L2,content-sidecar,done,pppp,4,/);
  });

  it('cleans display names', () => {
    expect(cleanName(' a\u200b\u0000b \n c ')).toBe('ab c');
    expect(cleanName('x'.repeat(100))).toHaveLength(40);
  });
});

describe('workshop settings', () => {
  it('codes are readable and compare without case or spacing; secrets compare exactly', () => {
    const code = newEventCode();
    expect(code).toMatch(/^[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$/);
    expect(normalizeCode(' kube 2026 ')).toBe('KUBE-2026');
    expect(sameSecret('abc', 'abc')).toBe(true);
    expect(sameSecret('abc', 'abcd')).toBe(false);
    expect(sameSecret(undefined, 'abc')).toBe(false);
  });

  it('reads the environment with clear errors', () => {
    expect(workshopFromEnv({})).toBeUndefined();
    expect(
      workshopFromEnv({
        SIDECAR_LABS_WORKSHOP_CODE: 'kube-1',
        SIDECAR_LABS_INSTRUCTOR_SECRET: 'x'.repeat(16),
        SIDECAR_LABS_RESERVE: '2',
      }),
    ).toEqual({ code: 'KUBE-1', instructorSecret: 'x'.repeat(16), reserve: 2 });
    expect(() => workshopFromEnv({ SIDECAR_LABS_WORKSHOP_CODE: 'kube-1' })).toThrow(/SIDECAR_LABS_INSTRUCTOR_SECRET/);
    expect(() =>
      workshopFromEnv({
        SIDECAR_LABS_WORKSHOP_CODE: 'kube-1',
        SIDECAR_LABS_INSTRUCTOR_SECRET: 'x'.repeat(16),
        SIDECAR_LABS_RESERVE: '-1',
      }),
    ).toThrow(/SIDECAR_LABS_RESERVE/);
  });
});

describe('the CSV export and duplicate names', () => {
  const row = (sessionId: string, learner: string, learnerId: string, slug = 'content-sidecar') =>
    rosterRow(
      {
        sessionId,
        slug,
        namespace: `ns-${sessionId}`,
        createdAt: new Date().toISOString(),
        expiresAt: new Date(Date.now() + 60_000).toISOString(),
        annotations: { [ANN_LEARNER]: learner, [ANN_LEARNER_ID]: learnerId },
      },
      2,
      45 * 60_000,
    );

  it('quotes fields per RFC 4180 (semicolons too) and neutralises formulas', () => {
    expect(csvField('Ada; Lovelace')).toBe('"Ada; Lovelace"');
    expect(csvField('say "hi", ok')).toBe('"say ""hi"", ok"');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('plain')).toBe('plain');
    for (const lead of ['=', '+', '-', '@', '\uFF1D']) expect(csvField(`${lead}1+1`)).toBe(`'${lead}1+1`);
    expect(csvField('\t=1')).toBe(`"'\t=1"`);
    expect(csvField('=HYPERLINK("http://x";"y")')).toBe(`"'=HYPERLINK(""http://x"";""y"")"`);
    // every line has the header's number of fields when read back with a quote-aware split
    const csv = rosterCsv(distinctLabels([row('s1', 'Ada; x', 'id-aaaaaaaa'), row('s2', '=cmd|"/c"', 'id-bbbbbbbb')]));
    const fields = (line: string) =>
      [...line.matchAll(/("(?:[^"]|"")*"|[^,]*)(,|$)/g)].filter((m) => m[0] !== '').length;
    const lines = csv.trimEnd().split('\r\n');
    expect(lines.map(fields)).toEqual([9, 9, 9]);
    expect(lines[1]).toMatch(/^"Ada; x",/);
    expect(lines[2]).toMatch(/^"'=cmd\|""\/c""",/);
    expect(lines[1]).toMatch(/,id-aaaaaaaa$/);
  });

  it('two learners with one name, or one learner id used twice in a lab, are shown distinctly', () => {
    const rows = distinctLabels([
      row('sess-1111', 'Ada', 'aaaaaaaaaa'),
      row('sess-2222', 'Ada', 'bbbbbbbbbb'),
      row('sess-3333', 'Grace', 'cccccccccc'),
      row('sess-4444', 'Grace', 'cccccccccc'),
      row('sess-5555', 'Grace', 'cccccccccc', 'native-sidecars'),
      row('sess-6666', 'Linus', 'dddddddddd'),
    ]);
    expect(rows.map((r) => r.label)).toEqual([
      'Ada (id aaaaaa)',
      'Ada (id bbbbbb)',
      'Grace (session sess-3)',
      'Grace (session sess-4)',
      'Grace',
      'Linus',
    ]);
    expect(new Set(rows.filter((r) => r.slug === 'content-sidecar').map((r) => r.label)).size).toBe(5);
    expect(rows.map((r) => r.learner)).toEqual(['Ada', 'Ada', 'Grace', 'Grace', 'Grace', 'Linus']);
  });
});
