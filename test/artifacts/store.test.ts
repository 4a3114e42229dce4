import { describe, it, expect, beforeEach } from 'vitest';
import { mkdtemp, readFile, writeFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { activateArtifact, currentVersion, listArtifacts, loadArtifact, saveArtifact } from '../../src/artifacts/store.ts';
import { bytesToFloat32, float32ToBytes } from '../../src/artifacts/binary.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'retain-artifacts-'));
});

const factors = Float32Array.from([1.5, -2.25, Math.PI, 1e-30]);
const input = (now: Date) => ({
  kind: 'recommender' as const,
  params: { lambda: 500 },
  dataWindow: { from: '2010-12-01T00:00:00.000Z', to: '2011-12-10T00:00:00.000Z' },
  metrics: { ndcg: 0.12 },
  files: { 'factors.f32': float32ToBytes(factors), 'ids.json': '["a","b"]' },
  now,
});

describe('artifact store', () => {
  it('saves a version with checksums and moves CURRENT only then; loads it back bit for bit', async () => {
    expect(await currentVersion(dir, 'recommender')).toBeUndefined();
    const m = await saveArtifact(dir, input(new Date('2026-01-02T03:04:05.678Z')));
    expect(m.version).toBe('20260102T030405678Z');
    expect(m.schemaVersion).toBe(1);
    expect(Object.keys(m.files).sort()).toEqual(['factors.f32', 'ids.json']);
    expect(await currentVersion(dir, 'recommender')).toBe(m.version);
    const loaded = await loadArtifact(dir, 'recommender');
    expect(Array.from(bytesToFloat32(loaded.files.get('factors.f32')!))).toEqual(Array.from(factors));
    expect(loaded.manifest).toEqual(m);
    // raw little-endian float32: 1.5 = 0x3fc00000
    expect(Array.from((await readFile(join(dir, 'recommender', m.version, 'factors.f32'))).subarray(0, 4))).toEqual([0, 0, 0xc0, 0x3f]);
    expect((await readdir(join(dir, 'recommender'))).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it('rejects a tampered file', async () => {
    const m = await saveArtifact(dir, input(new Date('2026-01-02T00:00:00Z')));
    const path = join(dir, 'recommender', m.version, 'factors.f32');
    const bytes = await readFile(path);
    bytes[0] = bytes[0]! ^ 1;
    await writeFile(path, bytes);
    await expect(loadArtifact(dir, 'recommender')).rejects.toThrow(/checksum mismatch in factors\.f32/);
  });

  it('rejects unknown kinds and schema versions with a clear error', async () => {
    await expect(loadArtifact(dir, 'banana')).rejects.toThrow(/unknown model kind 'banana'/);
    await expect(saveArtifact(dir, { ...input(new Date()), schemaVersion: 99 })).rejects.toThrow(/schema version 99 is not supported/);
    const m = await saveArtifact(dir, input(new Date('2026-01-03T00:00:00Z')));
    const path = join(dir, 'recommender', m.version, 'manifest.json');
    const manifest = JSON.parse(await readFile(path, 'utf8'));
    await writeFile(path, JSON.stringify({ ...manifest, schemaVersion: 2 }));
    await expect(loadArtifact(dir, 'recommender')).rejects.toThrow(/recommender schema version 2 is not supported/);
    await writeFile(path, JSON.stringify({ ...manifest, kind: 'churn' }));
    await expect(loadArtifact(dir, 'recommender')).rejects.toThrow(/holds a 'churn' model/);
  });

  it('lists versions and rolls back and forward', async () => {
    const a = await saveArtifact(dir, input(new Date('2026-01-01T00:00:00Z')));
    const b = await saveArtifact(dir, input(new Date('2026-01-01T00:00:00Z')));
    expect(b.version).toBe(`${a.version}-1`);
    const c = await saveArtifact(dir, { ...input(new Date('2026-01-05T00:00:00Z')), activate: false });
    expect(await currentVersion(dir, 'recommender')).toBe(b.version);
    const list = await listArtifacts(dir, 'recommender');
    expect(list.map((s) => [s.manifest.version, s.current])).toEqual([
      [a.version, false],
      [b.version, true],
      [c.version, false],
    ]);
    await activateArtifact(dir, 'recommender', a.version);
    expect(await currentVersion(dir, 'recommender')).toBe(a.version);
    await expect(activateArtifact(dir, 'recommender', 'nope')).rejects.toThrow(/not found/);
    expect(await currentVersion(dir, 'recommender')).toBe(a.version);
  });

  it('refuses file names that would escape the version folder', async () => {
    await expect(saveArtifact(dir, { ...input(new Date()), files: { '../x': 'y' } })).rejects.toThrow(/invalid artifact file name/);
    await expect(saveArtifact(dir, { ...input(new Date()), files: { 'manifest.json': 'y' } })).rejects.toThrow(/invalid artifact file name/);
  });
});
