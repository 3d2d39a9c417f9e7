/** One call to a collector's HTTP API as a test makes it: a body goes as JSON, the reply is parsed as JSON. */

export interface JsonReply<T> {
  status: number;
  body: T;
  /** From sending the request to having the whole reply. */
  ms: number;
}

/** `method path` on baseUrl (e.g. http://127.0.0.1:8080) with the caller's headers (its bearer token). */
export async function callJson<T>(baseUrl: string, as: { headers: Record<string, string> }, method: string, path: string, body?: unknown): Promise<JsonReply<T>> {
  const started = Date.now();
  const res = await fetch(`${baseUrl}${path}`, {
    method, headers: { ...as.headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as T, ms: Date.now() - started };
}
