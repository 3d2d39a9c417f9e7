/**
 * Script errors and CSP violations of the pages a browser test opens, gathered for it to assert
 * there were none. Chrome's "Failed to load resource" console lines are left out: they are the HTTP
 * errors tests provoke (401 before login, 403, 503).
 */
import type { Page } from 'playwright-core';

export interface PageErrors {
  /** Each error as `who: message` (`who console: text` for a console error). */
  readonly errors: string[];
  /** Starts gathering the errors of page, named who in them. */
  watch(page: Page, who: string): void;
}

export function pageErrors(): PageErrors {
  const errors: string[] = [];
  return {
    errors,
    watch(page, who) {
      page.on('pageerror', (e) => errors.push(`${who}: ${e.message}`));
      page.on('console', (m) => { if (m.type() === 'error' && !/^Failed to load resource/.test(m.text())) errors.push(`${who} console: ${m.text()}`); });
    },
  };
}
