import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.ts';
import { ConflictError } from '../../src/errors.ts';

describe('openDatabase on a PGlite data directory', () => {
  it('refuses a directory locked by another live process and takes over a dead one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'retain-pglite-'));
    writeFileSync(join(dir, 'retain.lock'), String(process.ppid));
    await expect(openDatabase({ dataDir: dir })).rejects.toThrow(ConflictError);

    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    writeFileSync(join(dir, 'retain.lock'), dead);
    const database = await openDatabase({ dataDir: dir });
    await database.close();
    const again = await openDatabase({ dataDir: dir });
    await again.close();
  });
});
