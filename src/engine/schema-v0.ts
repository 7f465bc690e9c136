// The unversioned lab.yaml of before sidecar-labs.dev/v1 (no apiVersion, no kind): still loaded, with a
// deprecation note, and converted to v1 (load/version.ts). Kept as it was: `lesson` and `images` required,
// NodePort checks by number.
import { z } from 'zod';
import { imageRef, labFields, uniqueIds } from './schema.ts';

/** A lab.yaml without apiVersion (deprecated: add `apiVersion: sidecar-labs.dev/v1` and `kind: Lab`). */
export const LabV0 = z
  .strictObject({
    title: labFields.title,
    lesson: z
      .string()
      .regex(/^[a-z0-9-]+$/)
      .describe('Slug of the lesson (content/lessons/<slug>.mdx) = the lab folder name.'),
    minKubernetes: labFields.minKubernetes,
    images: z.array(imageRef).min(1).describe('Every image the manifests use, pinned (they are checked).'),
    nodePorts: labFields.nodePorts,
    setup: labFields.setup,
    steps: labFields.steps,
  })
  .superRefine(uniqueIds);
export type LabV0 = z.output<typeof LabV0>;
