// The models the service answers with, and their hot reload. The active recommender is one
// reference: a reload loads and verifies the new version completely, then swaps the reference, so
// requests in flight finish on the old model and no request ever sees half of one. Replicas
// sharing MODELS_DIR follow each other by polling the CURRENT pointer.
import { loadRecommender, type StoredRecommender } from '../artifacts/codecs/recommender.ts';
import { activateArtifact, currentVersion, listArtifacts } from '../artifacts/store.ts';
import { ARTIFACT_KINDS, type Manifest } from '../artifacts/manifest.ts';
import type { Recommender } from '../ml/cf/recommender.ts';
import type { Logger } from '../logger.ts';

export interface LoadedRecommender {
  recommender: Recommender;
  manifest: Manifest;
  /** Training data ends here: purchases from this time on are "fresh" and folded in. */
  trainedUntil: Date;
}

export type RecommenderLoader = (modelsDir: string, version: string) => Promise<StoredRecommender>;

export interface ModelSummary {
  kind: string;
  version: string;
  active: boolean;
  loaded: boolean;
  createdAt: string;
  dataWindow: Manifest['dataWindow'];
  params: Record<string, unknown>;
  metrics: Record<string, unknown>;
}

export class ModelRegistry {
  private loaded: LoadedRecommender | undefined;
  private readonly listeners: ((model: LoadedRecommender) => Promise<void> | void)[] = [];
  private reloading: Promise<boolean> | undefined;
  reloads = 0;

  constructor(
    private readonly modelsDir: string,
    private readonly logger: Logger,
    private readonly loader: RecommenderLoader = loadRecommender,
  ) {}

  get current(): LoadedRecommender | undefined {
    return this.loaded;
  }

  /** Called after each swap, before the new model answers requests that need derived state. */
  onSwap(listener: (model: LoadedRecommender) => Promise<void> | void): void {
    this.listeners.push(listener);
  }

  /** Loads CURRENT if it names a version other than the loaded one; true when a new model now serves. */
  refresh(): Promise<boolean> {
    this.reloading ??= this.doRefresh().finally(() => {
      this.reloading = undefined;
    });
    return this.reloading;
  }

  private async doRefresh(): Promise<boolean> {
    const version = await currentVersion(this.modelsDir, 'recommender');
    if (version === undefined || version === this.loaded?.manifest.version) return false;
    const started = performance.now();
    const recommender = await this.loader(this.modelsDir, version);
    const { manifest } = recommender;
    const next: LoadedRecommender = { recommender, manifest, trainedUntil: new Date(manifest.dataWindow.to ?? 0) };
    for (const l of this.listeners) await l(next);
    const previous = this.loaded;
    this.loaded = next;
    // Safe at once: requests use a model synchronously, so none is half-way through the old one.
    previous?.recommender.dispose();
    this.reloads++;
    this.logger.info(
      { version, algorithm: recommender.algorithm, customers: recommender.customerIds.length, items: recommender.itemIds.length, ms: Math.round(performance.now() - started) },
      'recommender loaded',
    );
    return true;
  }

  async list(): Promise<ModelSummary[]> {
    const out: ModelSummary[] = [];
    for (const kind of Object.keys(ARTIFACT_KINDS)) {
      for (const { manifest, current } of await listArtifacts(this.modelsDir, kind)) {
        out.push({
          kind,
          version: manifest.version,
          active: current,
          loaded: kind === 'recommender' && manifest.version === this.loaded?.manifest.version,
          createdAt: manifest.createdAt,
          dataWindow: manifest.dataWindow,
          params: manifest.params,
          metrics: manifest.metrics,
        });
      }
    }
    return out;
  }

  /** Moves CURRENT (roll back or forward) after verifying the version; the recommender reloads at once. */
  async activate(kind: string, version: string): Promise<ModelSummary> {
    await activateArtifact(this.modelsDir, kind, version);
    if (kind === 'recommender') {
      await this.refresh();
      // a refresh already under way may have read the old pointer
      if (this.loaded?.manifest.version !== version) await this.refresh();
    }
    const found = (await this.list()).find((m) => m.kind === kind && m.version === version);
    return found!;
  }
}
