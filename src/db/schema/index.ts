// The whole schema, one module per aggregate; drizzle-kit and the db factory read it from here.
export * from './customers.ts';
export * from './items.ts';
export * from './purchases.ts';
export * from './events.ts';
export * from './api-keys.ts';
export * from './customer-scores.ts';
export * from './scoring-runs.ts';
export * from './import-runs.ts';
export * from './campaigns.ts';
export * from './served-recommendations.ts';
export * from './dashboard.ts';
