// drizzle-kit: `npm run db:generate` writes a new migration into src/db/migrations after a schema edit.
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/schema/index.ts',
  out: './src/db/migrations',
});
