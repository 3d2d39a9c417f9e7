/**
 * An operator on the alarm console with two live alarms of the simulated drive: its overcurrent
 * trip and a hot heatsink (the console's keyboard tests start here). The stack is stopped at teardown.
 */
import type { Locator, Page } from 'playwright-core';
import type { Test } from 'tap';
import { startBrowserStack, type BrowserStack } from './browser-stack.js';

export interface ConsoleWithTwoAlarms {
  stack: BrowserStack;
  page: Page;
  /** Script errors of the page so far. */
  errors: string[];
  tripRow: Locator;
  hotRow: Locator;
}

export async function consoleWithTwoAlarms(t: Test): Promise<ConsoleWithTwoAlarms> {
  const stack = await startBrowserStack();
  t.teardown(() => stack.stop());
  const sim = stack.sim!;
  const { page } = await stack.login('operator');
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${stack.baseUrl}/alarms`);
  await page.waitForSelector('.live-open', { timeout: 10_000 });
  sim.model.injectFault(1);
  sim.model.force('heatsink_temperature', 95);
  const tripRow = page.locator('.arow[data-code="vfd.overcurrent"]');
  const hotRow = page.locator('.arow[data-code="vfd.heatsink_hot"]');
  await tripRow.waitFor({ timeout: 15_000 });
  await hotRow.waitFor({ timeout: 15_000 });
  return { stack, page, errors, tripRow, hotRow };
}
