/**
 * The server's clock as a page sees it, for judging ages ("12s ago", stale once older than the
 * stale age): the browser's clock plus the offset the live stream's hello and clock events measured
 * (live.skewMs: server time minus ours, renewed every 15 s), moved on once a second by ONE timer per page. The page calls the hook
 * once and hands the time down to its rows; a row never starts a timer of its own.
 */
import { useEffect, useState } from 'preact/hooks';
import { live } from './live';

/** How often ages move on. */
export const TICK_MS = 1000;

/** The server's time now, re-rendering the caller every TICK_MS, and at once when the tab is shown again (hidden tabs' timers are throttled). */
export function useServerNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const tick = (): void => setNow(Date.now());
    const timer = setInterval(tick, TICK_MS);
    const shown = (): void => { if (document.visibilityState === 'visible') tick(); };
    document.addEventListener('visibilitychange', shown);
    return () => { clearInterval(timer); document.removeEventListener('visibilitychange', shown); };
  }, []);
  return now + live.skewMs;
}
