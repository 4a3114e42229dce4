// The recommender families retain knows, by name. fit, serving, selection and the artifact codec
// look a family up here instead of switching over algorithms; the spec and model types are derived
// from the built-in list, so adding a family is one file in families/ and one entry in BUILT_IN.
import { ConflictError, ValidationError } from '../../errors.ts';
import type { AnyFamily } from './family.ts';
import { alsFamily } from './families/als.ts';
import { easeFamily } from './families/ease.ts';
import { knnFamily } from './families/knn.ts';
import { popularityFamily } from './families/popularity.ts';
import { rp3betaFamily } from './families/rp3beta.ts';
import { createBlendFamily } from './families/blend.ts';

// a blend's parts are models of the other families: it looks them up through the registry
const blendFamily = createBlendFamily((algorithm) => familyOf(algorithm));

/** In selection order: among equally good candidates the earlier wins. */
const BUILT_IN = [popularityFamily, knnFamily, rp3betaFamily, easeFamily, alsFamily, blendFamily] as const;

type BuiltIn = (typeof BUILT_IN)[number];

export type Algorithm = BuiltIn['algorithm'];

// conditional types over a type parameter distribute: one member per family
type SpecOf<F extends BuiltIn> = F extends BuiltIn ? { algorithm: F['algorithm'] } & Partial<F['defaults']> : never;
type ResolvedSpecOf<F extends BuiltIn> = F extends BuiltIn ? { algorithm: F['algorithm'] } & F['defaults'] : never;
type ScorerOf<F extends BuiltIn> = F extends BuiltIn ? { algorithm: F['algorithm'] } & ReturnType<F['decode']> : never;

/** What to train: a family's name and any of its hyperparameters (defaults fill the rest). */
export type ModelSpec = SpecOf<BuiltIn>;

/** A spec with every hyperparameter filled in, as a manifest records it. */
export type ResolvedSpec = ResolvedSpecOf<BuiltIn>;

/** How a trained model turns purchases into item scores: the family's name and its learned model. */
export type ModelScorer = ScorerOf<BuiltIn>;

const families = new Map<string, AnyFamily>();

/** Adds a family (the built-in ones register themselves below); names are unique. */
export function registerFamily(family: AnyFamily): void {
  if (families.has(family.algorithm)) throw new ConflictError(`recommender family '${family.algorithm}' is already registered`);
  families.set(family.algorithm, family);
}

for (const family of BUILT_IN) registerFamily(family);

/** Every registered family, in registration (selection) order. */
export function registeredFamilies(): AnyFamily[] {
  return [...families.values()];
}

/** The family of that name, or undefined (an artifact's loader turns that into its own message). */
export function findFamily(algorithm: string): AnyFamily | undefined {
  return families.get(algorithm);
}

export function familyOf(algorithm: string): AnyFamily {
  const family = families.get(algorithm);
  if (!family) throw new ValidationError(`unknown recommender family '${algorithm}' (known: ${[...families.keys()].join(', ')})`);
  return family;
}
