/**
 * Reverse proxies the HTTP API trusts: a request from one of these addresses is taken to come from
 * the address its X-Forwarded-For names (what the login throttle and the logs key on); from any
 * other address the header is ignored, so a client cannot pick its own address.
 */
import { isIP } from 'node:net';
import { FaultlineError } from '../../protocol/errors.js';

/** `--trust-proxy` text: comma-separated addresses or CIDR ranges, e.g. "127.0.0.1,10.0.0.0/8". */
export function parseTrustedProxies(text: string): string[] {
  const entries = text.split(',').map((e) => e.trim()).filter((e) => e !== '');
  if (entries.length === 0) throw trustError(text, 'no address given');
  for (const entry of entries) {
    const [address = '', prefix, extra] = entry.split('/');
    const family = isIP(address);
    if (family === 0 || extra !== undefined) throw trustError(text, `"${entry}" is not an IP address or CIDR range`);
    if (prefix !== undefined) {
      const bits = Number(prefix);
      const max = family === 4 ? 32 : 128;
      if (!/^\d+$/.test(prefix) || bits > max) throw trustError(text, `"${entry}": the prefix length must be 0-${max}`);
    }
  }
  return entries;
}

function trustError(text: string, problem: string): FaultlineError {
  return new FaultlineError('FL_ERR_API_CONFIG', `--trust-proxy "${text}": ${problem}`, {
    context: { value: text }, hint: 'give the reverse proxies\' addresses, e.g. --trust-proxy 127.0.0.1 or --trust-proxy 10.0.0.0/8,::1',
  });
}
