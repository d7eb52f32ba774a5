/** Writes openapi.json at the repository root from the code; a test fails when the two differ. */
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { generateOpenApiDocument, serializeOpenApiDocument } from '../src/openapi-document';

generateOpenApiDocument().then(
  (document) => {
    const file = path.resolve(__dirname, '..', 'openapi.json');
    writeFileSync(file, serializeOpenApiDocument(document));
    console.log(`wrote ${file}: ${Object.keys(document.paths).length} paths`);
    process.exit(0);
  },
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
