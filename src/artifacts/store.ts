// Versioned model store on disk: models/<kind>/<version>/ holds manifest.json and the model's files;
// models/<kind>/CURRENT names the active version. A version is written completely (files fsynced,
// directory renamed into place) before CURRENT moves, and CURRENT moves by rename, so a crash
// leaves either the old or the new model active, never half of one.
import { createHash } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DomainError, NotFoundError, ValidationError } from '../errors.ts';
import { ARTIFACT_KINDS, isArtifactKind, latestSchemaVersion, Manifest, type ArtifactKind } from './manifest.ts';

/** A saved model that cannot be used: unknown kind or schema version, checksum mismatch, bad manifest. */
export class ArtifactError extends DomainError {
  constructor(message: string) {
    super('artifact_invalid', message);
  }
}

export interface SaveArtifactInput {
  kind: ArtifactKind;
  /** Defaults to the kind's newest schema version. */
  schemaVersion?: number;
  params: Record<string, unknown>;
  dataWindow: { from: string | null; to: string | null };
  metrics: Record<string, unknown>;
  /** File name -> content; names are plain (no directories), manifest.json is reserved. */
  files: Record<string, Uint8Array | string>;
  /** Makes CURRENT point at the new version (default true). */
  activate?: boolean;
  /** Clock for the version name and createdAt (tests pin it). */
  now?: Date;
}

export interface LoadedArtifact {
  manifest: Manifest;
  dir: string;
  /** Every file of the version, checksums verified. */
  files: Map<string, Buffer>;
}

const MANIFEST = 'manifest.json';
const CURRENT = 'CURRENT';
const FILE_NAME = /^[0-9A-Za-z][0-9A-Za-z._-]*$/;

export async function saveArtifact(modelsDir: string, input: SaveArtifactInput): Promise<Manifest> {
  const { kind, params, dataWindow, metrics, files, activate = true, now = new Date() } = input;
  checkKind(kind);
  const schemaVersion = input.schemaVersion ?? latestSchemaVersion(kind);
  checkSchema(kind, schemaVersion);
  for (const name of Object.keys(files)) {
    if (!FILE_NAME.test(name) || name === MANIFEST) throw new ValidationError(`invalid artifact file name '${name}'`);
  }
  const kindDir = join(modelsDir, kind);
  await mkdir(kindDir, { recursive: true });
  const version = await freshVersion(kindDir, now);
  const tmpDir = join(kindDir, `.tmp-${version}`);
  await rm(tmpDir, { recursive: true, force: true });
  await mkdir(tmpDir);

  const entries: Manifest['files'] = {};
  for (const [name, content] of Object.entries(files)) {
    const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    await writeDurably(join(tmpDir, name), bytes);
    entries[name] = { sha256: sha256(bytes), bytes: bytes.byteLength };
  }
  const manifest: Manifest = { kind, schemaVersion, version, createdAt: now.toISOString(), params, dataWindow, metrics, files: entries };
  Manifest.parse(manifest);
  await writeDurably(join(tmpDir, MANIFEST), Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`));
  await syncDir(tmpDir);
  await rename(tmpDir, join(kindDir, version));
  await syncDir(kindDir);
  if (activate) await pointCurrent(kindDir, version);
  return manifest;
}

/** Loads a version (CURRENT by default), verifying kind, schema version and every checksum. */
export async function loadArtifact(modelsDir: string, kind: string, version?: string): Promise<LoadedArtifact> {
  checkKind(kind);
  const chosen = version ?? (await currentVersion(modelsDir, kind));
  if (chosen === undefined) throw new NotFoundError(`no active ${kind} model in ${modelsDir} (train one first)`);
  const dir = join(modelsDir, kind, chosen);
  const manifest = await readManifest(dir, kind, chosen);
  const files = new Map<string, Buffer>();
  for (const [name, entry] of Object.entries(manifest.files)) {
    const bytes = await readFile(join(dir, name)).catch(() => {
      throw new ArtifactError(`${kind} model ${chosen}: file ${name} is missing`);
    });
    if (bytes.byteLength !== entry.bytes || sha256(bytes) !== entry.sha256) {
      throw new ArtifactError(`${kind} model ${chosen}: checksum mismatch in ${name} (file changed or corrupt)`);
    }
    files.set(name, bytes);
  }
  return { manifest, dir, files };
}

/** The active version of a kind, or undefined when none was activated yet. */
export async function currentVersion(modelsDir: string, kind: string): Promise<string | undefined> {
  checkKind(kind);
  try {
    const text = (await readFile(join(modelsDir, kind, CURRENT), 'utf8')).trim();
    return text === '' ? undefined : text;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

export interface ArtifactSummary {
  manifest: Manifest;
  current: boolean;
}

/** Every complete version of a kind (oldest first); unreadable ones are skipped. */
export async function listArtifacts(modelsDir: string, kind: string): Promise<ArtifactSummary[]> {
  checkKind(kind);
  const kindDir = join(modelsDir, kind);
  const names = await readdir(kindDir).catch(() => [] as string[]);
  const current = await currentVersion(modelsDir, kind);
  const out: ArtifactSummary[] = [];
  for (const name of names.sort()) {
    if (name.startsWith('.') || name === CURRENT) continue;
    try {
      out.push({ manifest: await readManifest(join(kindDir, name), kind, name), current: name === current });
    } catch {
      // a foreign or damaged folder is not a version
    }
  }
  return out;
}

/** Rolls back or forward: verifies the version fully, then moves CURRENT to it. */
export async function activateArtifact(modelsDir: string, kind: string, version: string): Promise<Manifest> {
  const { manifest } = await loadArtifact(modelsDir, kind, version);
  await pointCurrent(join(modelsDir, kind), version);
  return manifest;
}

function checkKind(kind: string): asserts kind is ArtifactKind {
  if (!isArtifactKind(kind)) {
    throw new ArtifactError(`unknown model kind '${kind}' (known: ${Object.keys(ARTIFACT_KINDS).join(', ')})`);
  }
}

function checkSchema(kind: ArtifactKind, schemaVersion: number): void {
  const known: readonly number[] = ARTIFACT_KINDS[kind];
  if (!known.includes(schemaVersion)) {
    throw new ArtifactError(`${kind} schema version ${schemaVersion} is not supported (this build reads ${known.join(', ')})`);
  }
}

async function readManifest(dir: string, kind: ArtifactKind, version: string): Promise<Manifest> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(join(dir, MANIFEST), 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new NotFoundError(`${kind} model ${version} not found in ${dir}`);
    throw new ArtifactError(`${kind} model ${version}: manifest.json is not valid JSON`);
  }
  const parsed = Manifest.safeParse(raw);
  if (!parsed.success) throw new ArtifactError(`${kind} model ${version}: invalid manifest (${parsed.error.issues[0]?.message ?? 'unknown'})`);
  const manifest = parsed.data;
  if (manifest.kind !== kind) throw new ArtifactError(`${dir} holds a '${manifest.kind}' model, expected '${kind}'`);
  checkSchema(kind, manifest.schemaVersion);
  if (manifest.version !== version) throw new ArtifactError(`${dir}: manifest says version ${manifest.version}`);
  return manifest;
}

/** Sortable, unique version names: UTC time to the millisecond, plus a counter on collision. */
async function freshVersion(kindDir: string, now: Date): Promise<string> {
  const base = now.toISOString().replace(/[-:]/g, '').replace('.', '');
  for (let n = 0; ; n++) {
    const name = n === 0 ? base : `${base}-${n}`;
    const taken = await stat(join(kindDir, name)).then(() => true, () => false);
    if (!taken) return name;
  }
}

async function pointCurrent(kindDir: string, version: string): Promise<void> {
  const tmp = join(kindDir, `.${CURRENT}.${process.pid}.tmp`);
  await writeDurably(tmp, Buffer.from(`${version}\n`));
  await rename(tmp, join(kindDir, CURRENT));
  await syncDir(kindDir);
}

async function writeDurably(path: string, bytes: Uint8Array): Promise<void> {
  const handle = await open(path, 'w');
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
