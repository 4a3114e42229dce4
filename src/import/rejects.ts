// The rejects file: every bad record with its line number and reason, as CSV, so a user can fix the
// source and import again (good lines already in are skipped as duplicates).
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';

/** Rejects an import keeps in its summary for a quick look; the rejects file has them all. */
export const REJECT_SAMPLES = 20;

export interface Reject {
  line: number;
  reason: string;
  fields: readonly string[];
}

export interface RejectSink {
  add(reject: Reject): Promise<void>;
  close(): Promise<void>;
}

/** Writes rejects to `path` (header: line,reason,record); backpressure-aware. */
export function rejectsFile(path: string): RejectSink {
  const out: WriteStream = createWriteStream(path);
  out.write('line,reason,record\n');
  return {
    async add(r) {
      if (!out.write(`${r.line},${csvField(r.reason)},${csvField(r.fields.map(csvField).join(','))}\n`)) await once(out, 'drain');
    },
    async close() {
      out.end();
      await once(out, 'finish');
    },
  };
}

function csvField(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
