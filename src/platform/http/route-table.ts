import FindMyWay, { HTTPMethod } from 'find-my-way';
import type { FastifyInstance } from 'fastify';

/**
 * Every route the server registered, so that a request to a known path with an unsupported method
 * can be answered 405 with an Allow header instead of 404.
 */
export class RouteTable {
  private readonly router = FindMyWay({ ignoreTrailingSlash: true });
  private readonly methods = new Set<string>();

  /** Must run before routes are registered (before app.init()). */
  attach(fastify: FastifyInstance): void {
    fastify.addHook('onRoute', (route) => {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      for (const name of methods) {
        const method = name.toUpperCase() as HTTPMethod;
        if (method === 'HEAD' || method === 'OPTIONS') continue;
        if (this.router.hasRoute(method, route.url)) continue;
        this.router.on(method, route.url, () => undefined);
        this.methods.add(method);
      }
    });
  }

  /** The methods that a path answers to; empty when the path is unknown. */
  allowedMethods(url: string): string[] {
    const path = url.split('?')[0];
    return [...this.methods].filter((method) => this.router.find(method as HTTPMethod, path) !== null).sort();
  }
}
