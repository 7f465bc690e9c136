import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { imageListFile, labImage, labImages, parseImageList, projectImages } from '../images.ts';

const kitDir = fileURLToPath(new URL('../../../scripts/kit/', import.meta.url));
/** What the kit's shell sees: lib.sh's lab_images over the same file. */
const shell = (origin: string) =>
  execFileSync('bash', ['-c', `source "${kitDir}lib.sh" && lab_images ${origin}`], { encoding: 'utf8' })
    .trim()
    .split('\n');

describe('the image list (scripts/kit/images.txt)', () => {
  it('reads the same images in the shell and in TypeScript', () => {
    expect(shell('all')).toEqual([...labImages]);
    expect(shell('project')).toEqual([...projectImages]);
  });

  it('names the project images and the collector the log-pipeline lab uses', () => {
    expect(projectImages).toEqual([
      'docker.io/sidecarlabs/git-server:0.1.0',
      'docker.io/sidecarlabs/injector:0.1.0',
      'docker.io/sidecarlabs/toolbox:0.1.0',
      'docker.io/sidecarlabs/twemproxy:0.5.0',
    ]);
    expect(labImage('/opentelemetry-collector-contrib:')).toBe(
      'docker.io/otel/opentelemetry-collector-contrib:0.160.0',
    );
  });

  it('builds the collector from the contrib version its tag names', () => {
    const tag = labImage('/opentelemetry-collector-contrib:').split(':').pop();
    const gomod = readFileSync(new URL('../../../scripts/kit/images/otelcol/go.mod', import.meta.url), 'utf8');
    expect(gomod).toMatch(new RegExp(`receiver/filelogreceiver v${tag!.replace(/\./g, '\\.')}$`, 'm'));
  });

  it('rejects a line without an origin, or an unpinned name, with file:line', () => {
    expect(() => parseImageList('# c\n\ndocker.io/library/nginx:1.24.0\n', 'x.txt')).toThrow(
      /^x\.txt:3: expected "<image> upstream\|project"/,
    );
    expect(() => parseImageList('nginx upstream\n', 'x.txt')).toThrow(
      /^x\.txt:1: expected a registry-qualified, pinned image name/,
    );
    expect(parseImageList('  docker.io/a/b:1  project  \n', 'x.txt')).toEqual([
      { name: 'docker.io/a/b:1', origin: 'project' },
    ]);
  });

  it('fails when a fragment names no image, or several', () => {
    expect(() => labImage('/no-such-image:')).toThrow(
      `${imageListFile}: expected one image matching "/no-such-image:", found 0`,
    );
    expect(() => labImage('docker.io/')).toThrow(/found [2-9]|found [1-9][0-9]/);
  });
});
