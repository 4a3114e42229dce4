// What a saved model says about itself: kind and schema version first, so a loader can refuse what
// it does not understand before reading anything else.
import { z } from 'zod';

/** Schema versions each kind's codec can read; a kind's newest version is the last entry. */
export const ARTIFACT_KINDS = {
  recommender: [1],
  churn: [1],
} as const satisfies Record<string, readonly number[]>;

export type ArtifactKind = keyof typeof ARTIFACT_KINDS;

export const Manifest = z.object({
  kind: z.string(),
  schemaVersion: z.number().int().positive(),
  version: z.string().regex(/^[0-9A-Za-z._-]+$/),
  createdAt: z.string(),
  params: z.record(z.string(), z.unknown()),
  /** Time range of the training data, ISO-8601 strings (end exclusive). */
  dataWindow: z.object({ from: z.string().nullable(), to: z.string().nullable() }),
  metrics: z.record(z.string(), z.unknown()),
  /** sha256 (hex) of every file of the version except manifest.json. */
  files: z.record(z.string(), z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/), bytes: z.number().int().nonnegative() })),
});

export type Manifest = z.infer<typeof Manifest>;

export function isArtifactKind(kind: string): kind is ArtifactKind {
  return Object.hasOwn(ARTIFACT_KINDS, kind);
}

export function latestSchemaVersion(kind: ArtifactKind): number {
  const versions = ARTIFACT_KINDS[kind];
  return versions[versions.length - 1]!;
}
