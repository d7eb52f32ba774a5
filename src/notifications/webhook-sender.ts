import { lookup as dnsLookup, LookupAddress, LookupOptions } from 'node:dns';
import * as http from 'node:http';
import * as https from 'node:https';
import { isIP } from 'node:net';
import { isInternalAddress } from './webhook-address-guard';

export interface WebhookRequest {
  url: string;
  body: string;
  headers: Record<string, string>;
  timeoutMs: number;
  allowPrivateNetworks: boolean;
}

/** The receiver's status code, or why no answer came (refused address, connection error, timeout). */
export type WebhookResponse = { status: number } | { error: string };

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * POSTs one delivery. The address is checked when the connection is made, not only when the URL was
 * saved (a name that later resolves to an internal address is refused); redirects are not followed.
 */
export function sendWebhook(request: WebhookRequest): Promise<WebhookResponse> {
  const url = new URL(request.url);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!request.allowPrivateNetworks && isIP(host) && isInternalAddress(host))
    return Promise.resolve({ error: `refused: ${host} is an internal address` });
  const guardedLookup = (hostname: string, options: LookupOptions, callback: LookupCallback) =>
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      const internal = addresses.find((entry) => isInternalAddress(entry.address));
      if (internal && !request.allowPrivateNetworks)
        return callback(
          Object.assign(new Error(`refused: ${hostname} resolves to ${internal.address}`), {
            code: 'EREFUSED',
          }),
          [],
        );
      if (options.all) return callback(null, addresses);
      return callback(null, addresses[0].address, addresses[0].family);
    });
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    let settled = false;
    // The whole attempt has one deadline: a receiver trickling bytes cannot hold it open.
    const deadline = setTimeout(() => {
      outgoing.destroy();
      settle({ error: `timed out after ${request.timeoutMs} ms` });
    }, request.timeoutMs);
    const settle = (response: WebhookResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      resolve(response);
    };
    const outgoing = client.request(
      url,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(request.body),
          ...request.headers,
        },
        lookup: guardedLookup,
        agent: false,
      },
      (incoming) => {
        // Only the status counts: the body is not read, the connection (not pooled) is closed.
        settle({ status: incoming.statusCode ?? 0 });
        incoming.destroy();
      },
    );
    outgoing.on('error', (error) => settle({ error: error.message.slice(0, 300) }));
    outgoing.end(request.body);
  });
}
