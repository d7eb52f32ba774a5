import { OpenMetricsContentType, Registry } from 'prom-client';
import { HttpRequestMetrics } from './http-request-metrics';

describe('HttpRequestMetrics', () => {
  it('renders counts and cumulative duration buckets per method, route and status', async () => {
    const registry = new Registry();
    registry.setDefaultLabels({ app: 'test' });
    const metrics = new HttpRequestMetrics('requests_total', 'request_seconds');
    metrics.register(registry);
    metrics.observe('GET', '/api/orders', 200, 0.0004);
    metrics.observe('GET', '/api/orders', 200, 0.003);
    metrics.observe('GET', '/api/orders', 200, 7);
    metrics.observe('POST', '/api/orders', 400, 0.001);

    const text = await registry.metrics();
    const line = (name: string) =>
      text
        .split('\n')
        .find((candidate) => candidate.startsWith(name))
        ?.split(' ')[1];
    expect(text).toContain('# TYPE requests_total counter');
    expect(text).toContain('# TYPE request_seconds histogram');
    expect(line('requests_total{method="GET",route="/api/orders",status="200",app="test"}')).toBe('3');
    expect(line('requests_total{method="POST",route="/api/orders",status="400",app="test"}')).toBe('1');
    const get = 'method="GET",route="/api/orders",status="200"';
    // 0.0004 is within 1 ms; 0.003 within 5 ms; 7 s over every bound; "le" counts all at or below.
    expect(line(`request_seconds_bucket{le="0.001",${get},app="test"}`)).toBe('1');
    expect(line(`request_seconds_bucket{le="0.005",${get},app="test"}`)).toBe('2');
    expect(line(`request_seconds_bucket{le="5",${get},app="test"}`)).toBe('2');
    expect(line(`request_seconds_bucket{le="+Inf",${get},app="test"}`)).toBe('3');
    // A value on a bound belongs to that bucket.
    expect(
      line('request_seconds_bucket{le="0.001",method="POST",route="/api/orders",status="400",app="test"}'),
    ).toBe('1');
    expect(Number(line(`request_seconds_sum{${get},app="test"}`))).toBeCloseTo(7.0034, 10);
    expect(line(`request_seconds_count{${get},app="test"}`)).toBe('3');
  });
});

describe('HttpRequestMetrics in a registry', () => {
  it('are cleared by the registry, and named as OpenMetrics wants', async () => {
    const registry = new Registry();
    const metrics = new HttpRequestMetrics('requests_total', 'request_seconds');
    metrics.register(registry);
    metrics.observe('GET', '/a', 200, 0.01);
    registry.resetMetrics();
    expect(await registry.metrics()).not.toContain('route="/a"');
    metrics.observe('GET', '/b', 200, 0.01);
    const openMetrics = new Registry<OpenMetricsContentType>();
    openMetrics.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
    metrics.register(openMetrics);
    const text = await openMetrics.metrics();
    expect(text).toContain('requests_total{method="GET",route="/b",status="200"} 1');
    expect(text).not.toContain('requests_total_total');
  });
});
