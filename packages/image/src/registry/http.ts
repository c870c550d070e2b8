import { setTimeout as sleep } from 'node:timers/promises';

/** How often and how patiently to retry a request that failed for a transient reason. */
export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
  log?: (line: string) => void;
}

/** Statuses worth retrying: the server is overloaded or broken for now, not refusing us. */
function isTransientStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

/** Exponential backoff with jitter, capped so a flapping registry is retried within seconds. */
export function backoff(policy: RetryPolicy, attempt: number): Promise<void> {
  const delay = Math.min(policy.baseDelayMs * 2 ** attempt, 5000);
  return sleep(delay / 2 + Math.random() * (delay / 2));
}

/**
 * fetch() that retries network errors and 429/5xx with backoff; the last transient response is
 * returned as is (the caller turns it into an error naming the status).
 */
export async function fetchWithRetry(url: string, init: RequestInit, policy: RetryPolicy): Promise<Response> {
  for (let attempt = 0; ; attempt++) {
    const last = attempt + 1 >= policy.attempts;
    try {
      const res = await fetch(url, init);
      if (!isTransientStatus(res.status) || last) return res;
      await res.body?.cancel();
      policy.log?.(`GET ${url}: ${res.status}, retrying (${attempt + 1}/${policy.attempts - 1})`);
    } catch (e) {
      if (last) throw e;
      policy.log?.(`GET ${url}: ${describeNetworkError(e)}, retrying (${attempt + 1}/${policy.attempts - 1})`);
    }
    await backoff(policy, attempt);
  }
}

/** fetch() hides the socket error in `cause`; show it. */
export function describeNetworkError(e: unknown): string {
  const err = e as Error & { cause?: Error & { code?: string } };
  return err.cause ? `${err.message}: ${err.cause.code ?? err.cause.message}` : err.message;
}
