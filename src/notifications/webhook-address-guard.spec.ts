import { isInternalAddress, webhookUrlProblem } from './webhook-address-guard';
import { outcomeOf, retryDelayMs } from './webhook-dispatcher.service';
import { webhookBody } from './webhook-payload';
import { sendWebhook } from './webhook-sender';
import { verifyWebhookSignature, webhookSignature } from './webhook-signature';

describe('webhook address guard', () => {
  it.each([
    '127.0.0.1',
    '10.1.2.3',
    '172.20.0.1',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '::1',
    '::',
    'fe80::1',
    'fd00:ec2::254',
    '::ffff:127.0.0.1',
    '::ffff:169.254.169.254',
    '::ffff:7f00:1',
    '::ffff:a9fe:a9fe',
    '::7f00:1',
    '64:ff9b:1::a00:1',
    'fec0::1',
    '224.0.0.1',
  ])('refuses %s', (address) => {
    expect(isInternalAddress(address)).toBe(true);
  });

  it.each(['8.8.8.8', '1.1.1.1', '172.32.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8', '::ffff:808:808'])(
    'lets %s through',
    (address) => {
      expect(isInternalAddress(address)).toBe(false);
    },
  );

  it('names the problem of a URL: scheme, credentials, internal addresses by literal or by name', async () => {
    expect(await webhookUrlProblem('ftp://example.com/x', false)).toBe('url: must be http or https');
    expect(await webhookUrlProblem('not a url', false)).toBe('url: not a valid URL');
    expect(await webhookUrlProblem('https://user:pw@example.com/', false)).toBe(
      'url: must not hold credentials',
    );
    expect(await webhookUrlProblem('http://169.254.169.254/latest/meta-data', false)).toContain(
      '169.254.169.254',
    );
    expect(await webhookUrlProblem('http://[::1]:8080/hook', false)).toContain('::1');
    // URLs normalise other spellings of loopback: decimal, hex, IPv4-mapped IPv6.
    expect(await webhookUrlProblem('http://2130706433/hook', false)).toContain('127.0.0.1');
    expect(await webhookUrlProblem('http://0x7f.1/hook', false)).toContain('127.0.0.1');
    expect(await webhookUrlProblem('http://[::ffff:127.0.0.1]/hook', false)).toContain('::ffff:7f00:1');
    expect(await webhookUrlProblem('http://localhost:8080/hook', false)).toMatch(
      /localhost resolves to (127\.0\.0\.1|::1)/,
    );
    expect(await webhookUrlProblem('http://localhost:8080/hook', true)).toBeNull();
  });

  it('refuses to connect to an internal address at send time, and never follows a redirect', async () => {
    const refused = await sendWebhook({
      url: 'http://127.0.0.1:9/hook',
      body: '{}',
      headers: {},
      timeoutMs: 1000,
      allowPrivateNetworks: false,
    });
    expect(refused).toEqual({ error: 'refused: 127.0.0.1 is an internal address' });
    const byName = await sendWebhook({
      url: 'http://localhost:9/hook',
      body: '{}',
      headers: {},
      timeoutMs: 1000,
      allowPrivateNetworks: false,
    });
    expect('error' in byName && byName.error).toMatch(/^refused: localhost resolves to/);
  });
});

describe('webhook deliveries', () => {
  it('retries timeouts, 5xx, 408 and 429 and gives up on other answers', () => {
    expect(outcomeOf({ status: 200 })).toBe('succeeded');
    expect(outcomeOf({ status: 204 })).toBe('succeeded');
    for (const status of [500, 502, 503, 408, 429]) expect(outcomeOf({ status })).toBe('retry');
    for (const status of [301, 400, 401, 404, 410]) expect(outcomeOf({ status })).toBe('failed');
    expect(outcomeOf({ error: 'timed out after 10000 ms' })).toBe('retry');
  });

  it('waits about 5 s before the first retry, doubling, with ±20 % jitter', () => {
    expect(retryDelayMs(5000, 1, 0.5)).toBe(5000);
    expect(retryDelayMs(5000, 2, 0.5)).toBe(10_000);
    expect(retryDelayMs(5000, 3, 0.5)).toBe(20_000);
    expect(retryDelayMs(5000, 1, 0)).toBe(4000);
    expect(retryDelayMs(5000, 1, 1)).toBe(6000);
  });

  it('signs t.body with HMAC-SHA256, which a receiver verifies within its tolerance', () => {
    const header = webhookSignature('whsec_test', 1_796_000_000, '{"a":1}');
    expect(header).toMatch(/^t=1796000000,v1=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature('whsec_test', header, '{"a":1}', 1_796_000_010)).toBe(true);
    expect(verifyWebhookSignature('whsec_test', header, '{"a":2}', 1_796_000_010)).toBe(false);
    expect(verifyWebhookSignature('whsec_other', header, '{"a":1}', 1_796_000_010)).toBe(false);
    expect(verifyWebhookSignature('whsec_test', header, '{"a":1}', 1_796_001_000)).toBe(false);
  });
});

describe('webhook chat formats', () => {
  const event = {
    id: 'e1',
    type: 'alert.raised',
    time: '2026-12-03T00:00:00.000Z',
    data: {
      severity: 'warning',
      type: 'LOGIN_FAILURES',
      source: 'auth',
      message: 'locked <!channel> @everyone',
    },
  };

  it('escapes what Slack reads as mentions and links', () => {
    const body = JSON.parse(webhookBody('slack', event)) as { text: string; event: unknown };
    expect(body.text).toBe('[WARNING] LOGIN_FAILURES (auth): locked &lt;!channel&gt; @everyone');
    expect(body.event).toEqual(event);
  });

  it('tells Discord to parse no mentions, and sends the event itself as json', () => {
    const discord = JSON.parse(webhookBody('discord', event)) as {
      content: string;
      allowed_mentions: unknown;
    };
    expect(discord.allowed_mentions).toEqual({ parse: [] });
    expect(discord.content).toContain('@everyone');
    expect(JSON.parse(webhookBody('json', event))).toEqual(event);
  });
});
