// Runs the app on a real port: the loopback rule for key-less operation, and graceful shutdown
// (stop accepting, let in-flight requests finish, then close idle keep-alive connections).
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { DomainError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { App } from './app.ts';

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host) || host.startsWith('127.');
}

/**
 * Without an API key the service must only be reachable from this machine; anywhere else it
 * refuses to start rather than expose customer data unauthenticated.
 */
export function checkBinding(host: string, activeKeys: number): void {
  if (activeKeys === 0 && !isLoopback(host)) {
    throw new DomainError('no_api_keys', `refusing to listen on ${host} without an API key: create one with \`retain keys create NAME --scopes read\`, or bind to 127.0.0.1`);
  }
}

export interface RunningServer {
  port: number;
  /** Stops accepting, waits for in-flight requests (at most `graceMs`), then closes. */
  close(graceMs?: number): Promise<void>;
}

export async function listen(app: App, options: { port: number; host: string; logger: Logger }): Promise<RunningServer> {
  const server = await new Promise<Server>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: options.port, hostname: options.host }, () => resolve(s as Server)) as Server;
    s.once('error', reject);
  });
  // many short keep-alive requests from load balancers: keep sockets longer than their idle timeout
  server.keepAliveTimeout = 65_000;
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    close(graceMs = 10_000) {
      return new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          options.logger.warn('grace period over: closing remaining connections');
          server.closeAllConnections();
        }, graceMs);
        force.unref();
        // keep-alive sockets become idle as their last response ends: close them as they do
        const sweep = setInterval(() => server.closeIdleConnections(), 50);
        server.close(() => {
          clearTimeout(force);
          clearInterval(sweep);
          resolve();
        });
        server.closeIdleConnections();
      });
    },
  };
}
