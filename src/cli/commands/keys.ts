// `retain keys create|list|revoke`: API key administration. The secret is printed once, on
// create, and only its sha256 is stored.
import { parseArgs } from 'node:util';
import { loadConfig } from '../../config.ts';
import { openMigratedDatabase } from '../../db/client.ts';
import { ValidationError } from '../../errors.ts';
import { createApiKey, listApiKeys, parseScopes, revokeApiKey } from '../../services/api-keys.ts';

const HELP = `usage: retain keys create NAME [--scopes read,write,admin]
       retain keys list
       retain keys revoke NAME|PREFIX

Scopes: read (recommendations, scores, lists), write (events, items, consent),
admin (models, erasure; includes read and write). Default scope: read.
The key is printed once; running servers accept it (or stop accepting a revoked one) within
their sync interval (2 s by default).
`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { help: { type: 'boolean', short: 'h' }, scopes: { type: 'string', default: 'read' } },
  });
  const [action, target, ...extra] = positionals;
  if (values.help || action === undefined) {
    process.stdout.write(HELP);
    return values.help ? 0 : 2;
  }
  if (extra.length > 0) throw new ValidationError(`unexpected arguments: ${extra.join(' ')}`);
  const config = loadConfig();
  const database = await openMigratedDatabase(config);
  try {
    const db = database.db;
    switch (action) {
      case 'create': {
        if (!target) throw new ValidationError('usage: retain keys create NAME [--scopes read,write,admin]');
        const { token, info } = await createApiKey(db, target, parseScopes(values.scopes));
        process.stderr.write(`created key '${info.name}' (prefix ${info.prefix}, scopes ${info.scopes.join(',')}); store it now, it is not shown again:\n`);
        process.stdout.write(`${token}\n`);
        return 0;
      }
      case 'list': {
        const keys = await listApiKeys(db);
        process.stdout.write(`${['name', 'prefix', 'scopes', 'created', 'revoked'].join('\t')}\n`);
        for (const k of keys) process.stdout.write(`${[k.name, k.prefix, k.scopes.join(','), k.createdAt.toISOString(), k.revokedAt?.toISOString() ?? '-'].join('\t')}\n`);
        return 0;
      }
      case 'revoke': {
        if (!target) throw new ValidationError('usage: retain keys revoke NAME|PREFIX');
        const n = await revokeApiKey(db, target);
        process.stderr.write(`revoked ${n} key${n === 1 ? '' : 's'}\n`);
        return 0;
      }
      default:
        throw new ValidationError(`unknown keys action '${action}' (create, list, revoke)`);
    }
  } finally {
    await database.close();
  }
}
