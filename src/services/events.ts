// Live events: validated per event (one bad event does not sink the batch), stored idempotently,
// and purchases applied to this replica's fresh-purchase store so the next recommendation for the
// customer already reflects them; their scores are recomputed in the batch's transaction (live-scores.ts).
import type { Db } from '../db/client.ts';
import { insertEvents, type EventInput, type EventOutcome } from '../db/queries/events.ts';
import type { LiveScores } from './live-scores.ts';

/** A validated event as the API hands it over. */
export type { EventInput };

export interface EventResult {
  eventId: string;
  status: 'accepted' | 'duplicate' | 'rejected';
  error?: { code: 'validation_failed' | 'customer_erased'; message: string };
}

export class EventService {
  constructor(
    private readonly db: Db,
    private readonly onPurchase: (customerId: string, itemId: string, occurredAt: Date) => void,
    private readonly onAccepted: (event: EventInput) => void = () => {},
    private readonly liveScores?: LiveScores,
  ) {}

  /** `rejected` holds events that failed validation upstream, by position in the original batch. */
  async ingest(valid: { index: number; event: EventInput }[], rejected: { index: number; eventId: string; message: string }[]): Promise<EventResult[]> {
    const results: EventResult[] = new Array(valid.length + rejected.length);
    for (const r of rejected) results[r.index] = { eventId: r.eventId, status: 'rejected', error: { code: 'validation_failed', message: r.message } };
    // a batch naming one event id twice keeps the first and reports the rest as duplicates
    const seen = new Set<string>();
    const unique: { index: number; event: EventInput }[] = [];
    for (const v of valid) {
      if (seen.has(v.event.eventId)) results[v.index] = { eventId: v.event.eventId, status: 'duplicate' };
      else {
        seen.add(v.event.eventId);
        unique.push(v);
      }
    }
    const live = this.liveScores;
    const outcomes = await insertEvents(
      this.db,
      unique.map((v) => v.event),
      live && ((tx, customerIds) => live.rescore(tx, customerIds)),
    );
    unique.forEach((v, k) => {
      const outcome = outcomes[k]!;
      results[v.index] = toResult(v.event.eventId, outcome);
      if (outcome === 'accepted') this.onAccepted(v.event);
      if (outcome === 'accepted' && v.event.type === 'purchase') this.onPurchase(v.event.customerId, v.event.itemId, v.event.occurredAt);
    });
    return results;
  }
}

function toResult(eventId: string, outcome: EventOutcome): EventResult {
  if (outcome === 'customer_erased') return { eventId, status: 'rejected', error: { code: 'customer_erased', message: 'the customer was erased; their events are not stored' } };
  return { eventId, status: outcome };
}
