// A tiny cookie jar over app.request: what a browser would send back to the dashboard.
import type { App } from '../../../src/api/app.ts';

export class Browser {
  cookies = new Map<string, string>();
  constructor(private readonly app: App) {}

  async get(path: string): Promise<Response> {
    return this.keep(await this.app.request(path, { headers: this.header() }));
  }

  async post(path: string, form: Record<string, string>): Promise<Response> {
    return this.keep(await this.app.request(path, { method: 'POST', body: new URLSearchParams(form), headers: { ...this.header(), 'content-type': 'application/x-www-form-urlencoded' } }));
  }

  /** The CSRF token the pages embed in their forms. */
  async csrf(path = '/dashboard/campaigns'): Promise<string> {
    const html = await (await this.get(path)).text();
    return /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? this.cookies.get('retain_csrf')!;
  }

  private header(): Record<string, string> {
    return this.cookies.size ? { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } : {};
  }

  private keep(res: Response): Response {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const [k, v] = pair!.split('=');
      if (/Max-Age=0/i.test(c) || v === '') this.cookies.delete(k!);
      else this.cookies.set(k!, v!);
    }
    return res;
  }
}
