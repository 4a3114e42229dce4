// A self-contained HTML page describing the API, rendered from the OpenAPI document itself (so it
// cannot drift from it) and needing no script or CDN: it works on a machine with no internet.
interface Operation {
  summary?: string;
  description?: string;
  tags?: string[];
  parameters?: { name: string; in: string; required?: boolean; description?: string; schema?: unknown }[];
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  responses?: Record<string, { description?: string }>;
  security?: unknown[];
}

interface Document {
  info: { title: string; version: string; description?: string };
  paths?: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, unknown> };
}

/** `openApiDocument` is what OpenAPIHono generates; only the fields in `Document` are read. */
export function docsPage(openApiDocument: object): string {
  const doc = openApiDocument as Document;
  const sections: string[] = [];
  for (const [path, methods] of Object.entries(doc.paths ?? {})) {
    for (const [method, op] of Object.entries(methods)) {
      const params = (op.parameters ?? [])
        .map((p) => `<tr><td><code>${esc(p.name)}</code></td><td>${p.in}</td><td>${p.required ? 'yes' : ''}</td><td>${esc(p.description ?? '')} <code>${esc(schemaType(p.schema))}</code></td></tr>`)
        .join('');
      const body = op.requestBody?.content?.['application/json']?.schema;
      const responses = Object.entries(op.responses ?? {})
        .map(([code, r]) => `<li><b>${code}</b> ${esc(r.description ?? '')}</li>`)
        .join('');
      sections.push(`<section id="${esc(method + path)}">
<h2><span class="m ${method}">${method.toUpperCase()}</span> <code>${esc(path)}</code></h2>
<p>${esc(op.summary ?? '')}</p>${op.description ? `<p>${esc(op.description)}</p>` : ''}
${params ? `<table><tr><th>parameter</th><th>in</th><th>required</th><th>description</th></tr>${params}</table>` : ''}
${body ? `<details><summary>request body</summary><pre>${esc(JSON.stringify(body, null, 2))}</pre></details>` : ''}
<ul>${responses}</ul></section>`);
    }
  }
  const schemas = Object.entries(doc.components?.schemas ?? {})
    .map(([name, s]) => `<details><summary>${esc(name)}</summary><pre>${esc(JSON.stringify(s, null, 2))}</pre></details>`)
    .join('');
  return `<!doctype html><html><head><meta charset="utf-8"><title>${esc(doc.info.title)} API</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2rem .5rem;text-align:left}
.m{font:bold 13px monospace;padding:.1rem .4rem;border-radius:3px;color:#fff}.get{background:#2a7}.post{background:#27a}.put{background:#a72}.delete{background:#a33}section{border-top:1px solid #ddd}</style></head>
<body><h1>${esc(doc.info.title)} API ${esc(doc.info.version)}</h1><p>${esc(doc.info.description ?? '')}</p>
<p>Machine-readable: <a href="/openapi.json">/openapi.json</a>. Authentication: <code>Authorization: Bearer &lt;key&gt;</code> (keys from <code>retain keys create</code>).</p>
${sections.join('\n')}<h2>Schemas</h2>${schemas}</body></html>`;
}

function schemaType(schema: unknown): string {
  if (!schema || typeof schema !== 'object') return '';
  const s = schema as { type?: string; enum?: unknown[]; items?: { type?: string } };
  if (s.enum) return s.enum.join(' | ');
  if (s.type === 'array') return `${s.items?.type ?? ''}[]`;
  return s.type ?? '';
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
