import { Client } from 'pg';

/** Helpers for creating and dropping whole databases on a PostgreSQL server (tests, migration checks). */
export function databaseNameOf(url: string): string {
  return decodeURIComponent(new URL(url).pathname.slice(1));
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = '/' + encodeURIComponent(database);
  return parsed.toString();
}

export function quoteIdent(name: string): string {
  return '"' + name.replace(/"/g, '""') + '"';
}

/** Runs one statement on the server's maintenance database (CREATE/DROP DATABASE cannot run inside the target). */
export async function onServer(url: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: withDatabase(url, 'postgres') });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export async function createDatabase(url: string, database: string, template?: string): Promise<void> {
  await onServer(
    url,
    `CREATE DATABASE ${quoteIdent(database)}${template ? ` TEMPLATE ${quoteIdent(template)}` : ''}`,
  );
}

export async function dropDatabase(url: string, database: string): Promise<void> {
  await onServer(url, `DROP DATABASE IF EXISTS ${quoteIdent(database)} WITH (FORCE)`);
}
