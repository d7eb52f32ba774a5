export const BENCH_ADMIN = { username: 'bench-admin', password: 'bench-admin-password' };

/** POSTs JSON (with a bearer token when given) and returns the JSON answer; anything but 2xx throws. */
export async function post<T>(url: string, body: unknown, token?: string): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${url} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

/** GETs JSON with a bearer token and returns it; anything but 2xx throws. */
export async function get<T>(url: string, token: string): Promise<T> {
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  if (!response.ok) throw new Error(`${url} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

/** Signs in to a bench app server and makes a READ_ONLY user token and a READ_ONLY API key. */
export async function readOnlyCredentials(
  baseUrl: string,
  admin: { username: string; password: string },
): Promise<{ token: string; apiKey: string }> {
  const { accessToken: adminToken } = await post<{ accessToken: string }>(`${baseUrl}/api/auth/login`, admin);
  const reader = { username: 'bench-reader', password: 'bench-reader-password' };
  await post(`${baseUrl}/api/users`, { ...reader, role: 'READ_ONLY' }, adminToken);
  const { accessToken } = await post<{ accessToken: string }>(`${baseUrl}/api/auth/login`, reader);
  const { apiKey } = await post<{ apiKey: string }>(
    `${baseUrl}/api/keys`,
    { name: 'bench', permissions: ['READ_ONLY'], rateLimit: 1_000_000 },
    adminToken,
  );
  return { token: accessToken, apiKey };
}
