import SwaggerParser from '@apidevtools/swagger-parser';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { generateOpenApiDocument, serializeOpenApiDocument } from '../src/openapi-document';
import { registeredRoutes } from './support/routes';
import { startTestApp, TestApp } from './support/test-app';

const COMMITTED = path.resolve(__dirname, '..', 'openapi.json');

/** Any absolute URL to another host in a page or script would need the network. */
function externalUrls(text: string): string[] {
  return [...text.matchAll(/(?:src|href)\s*=\s*["'](https?:)?\/\/[^"']+["']/g)].map((match) => match[0]);
}

/** What the API shows of itself: who may call what, and its spec. Both only read: they share one app. */
describe('the API surface', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('default-deny access', () => {
    it('every registered route is marked @Public() or @Auth(role)', () => {
      const routes = registeredRoutes(t);
      expect(routes.length).toBeGreaterThanOrEqual(20);
      expect(routes.filter((route) => route.access === 'none').map((route) => route.route)).toEqual([]);
    });

    it('the only public routes are the ones meant to be public', () => {
      const publicRoutes = registeredRoutes(t)
        .filter((route) => route.access === 'public')
        .map((route) => route.route);
      expect(publicRoutes).toEqual([
        'GET /api/health',
        'GET /api/health/live',
        'GET /api/health/ready',
        'POST /api/auth/login',
        'POST /api/auth/refresh',
        // Acts only for a valid signal token.
        'POST /api/signals/:token',
      ]);
    });
  });

  describe('OpenAPI', () => {
    it('the committed openapi.json is what the code generates (run `npm run openapi` after API changes)', async () => {
      const generated = serializeOpenApiDocument(await generateOpenApiDocument());
      expect(readFileSync(COMMITTED, 'utf8')).toBe(generated);
    });

    it('serves the same document at /openapi.json, and YAML at /openapi.yaml', async () => {
      const served = await fetch(`${t.baseUrl}/openapi.json`);
      expect(served.status).toBe(200);
      expect(await served.json()).toEqual(JSON.parse(readFileSync(COMMITTED, 'utf8')));
      const yaml = await fetch(`${t.baseUrl}/openapi.yaml`);
      expect(yaml.status).toBe(200);
      expect(await yaml.text()).toContain('title: Tradeplane API');
    });

    it('is a valid OpenAPI 3 document with both security schemes and the shared error schema', async () => {
      const document = JSON.parse(readFileSync(COMMITTED, 'utf8'));
      await expect(SwaggerParser.validate(structuredClone(document))).resolves.toBeDefined();
      expect(document.openapi).toMatch(/^3\./);
      expect(document.components.securitySchemes).toEqual({
        bearer: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
        apiKey: expect.objectContaining({ type: 'apiKey', in: 'header', name: 'X-API-Key' }),
      });
      expect(Object.keys(document.components.schemas.ErrorResponseDto.properties)).toEqual(
        expect.arrayContaining(['statusCode', 'error', 'message', 'details', 'timestamp', 'requestId']),
      );
      const operations = Object.values(
        document.paths as Record<string, Record<string, { tags?: string[]; responses: object }>>,
      ).flatMap((item) => Object.values(item));
      expect(operations.length).toBeGreaterThan(0);
      for (const operation of operations) {
        expect(operation.tags?.length).toBeGreaterThan(0);
        expect(Object.keys(operation.responses)).toContain('500');
      }
    });

    it('serves Swagger UI at /docs and ReDoc at /redoc from local assets only', async () => {
      const docs = await fetch(`${t.baseUrl}/docs`);
      expect(docs.status).toBe(200);
      const docsHtml = await docs.text();
      expect(docsHtml).toContain('swagger-ui');
      expect(externalUrls(docsHtml)).toEqual([]);
      const initScript = await fetch(`${t.baseUrl}/docs/swagger-ui-init.js`);
      expect(initScript.status).toBe(200);

      const redoc = await fetch(`${t.baseUrl}/redoc`);
      expect(redoc.status).toBe(200);
      const redocHtml = await redoc.text();
      expect(redocHtml).toContain('<redoc spec-url="/openapi.json">');
      expect(externalUrls(redocHtml)).toEqual([]);
      const bundle = await fetch(`${t.baseUrl}/redoc/redoc.standalone.js`);
      expect(bundle.status).toBe(200);
      expect((await bundle.text()).length).toBeGreaterThan(100_000);
    });
  });
});
