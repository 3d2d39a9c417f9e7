/**
 * A real stack for the dashboard's browser tests and benchmark, all on 127.0.0.1 with free ports
 * and temp dirs: a collector (serving the built dashboard from dist/web), a simulated VFD speaking
 * Modbus TCP, a real agent polling it with its own broker credential and write key, users of every
 * role, and headless Debian Chromium driven by playwright-core. stop() closes everything.
 */
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startAgent, type RunningAgent } from '../../agent/agent.js';
import { checkAgentConfig } from '../../agent/config/load-config.js';
import { silentLogger } from '../../protocol/logger.js';
import { startCollector, type RunningCollector } from '../../collector/collector.js';
import type { Role } from '../../collector/core/access/roles.js';
import { provisionDeviceCredentials } from '../../collector/security/provision.js';
import vfd from '../../firmware-adapters/devices/generic-vfd.js';
import { startModbusDevice, type SimulatedModbusDevice } from '../../firmware-adapters/simulator/modbus-device.js';
import { apiCallerIn, TEST_PASSWORD, type TestCaller } from '../helpers/api-auth.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
export const SITE = 'plant-a';
export const DEVICE = 'drive-7';

/** One user per role (password TEST_PASSWORD), each with an API token for direct API calls. */
export const USERS: Readonly<Record<Role, string>> = { viewer: 'vera', operator: 'olga', engineer: 'emil', admin: 'ada' };

export interface BrowserStack {
  collector: RunningCollector;
  sim: SimulatedModbusDevice | undefined;
  agent: RunningAgent | undefined;
  browser: Browser;
  baseUrl: string;
  dataDir: string;
  callers: Record<Role, TestCaller>;
  /** GET/POST the API as a role (bearer token); throws on an HTTP error. */
  api<T>(role: Role, path: string, init?: { method?: string; body?: unknown }): Promise<T>;
  /** A fresh browser context (1366×768 unless told) signed in as the role, on the page it lands on. */
  login(role: Role, opts?: { viewport?: { width: number; height: number }; timezoneId?: string; locale?: string }): Promise<{ context: BrowserContext; page: Page }>;
  stop(): Promise<void>;
}

export interface StackOptions {
  /** Start the simulated drive and its agent (default true). */
  device?: boolean;
  /** Passed to the collector (the dashboard bench turns the flood limit up). */
  configFile?: string;
}

export async function startBrowserStack(opts: StackOptions = {}): Promise<BrowserStack> {
  const dir = tempDir('faultline-browser-');
  const cleanup: Array<() => Promise<unknown> | unknown> = [dir.remove];
  const stop = async (): Promise<void> => {
    for (const step of cleanup.splice(0).reverse()) {
      try { await step(); } catch { /* keep closing the rest */ }
    }
  };
  try {
    const callers = {} as Record<Role, TestCaller>;
    for (const [role, name] of Object.entries(USERS) as Array<[Role, string]>) callers[role] = await apiCallerIn(dir.path, role, name);
    const withDevice = opts.device ?? true;
    const creds = withDevice ? await provisionDeviceCredentials(dir.path, SITE, [DEVICE], Date.now()) : new Map();
    const collector = await startCollector({
      dataDir: dir.path, mqttHost: '127.0.0.1', mqttPort: 0, httpHost: '127.0.0.1', httpPort: 0, log: silentLogger(),
      ...(opts.configFile ? { configFile: opts.configFile } : {}),
    });
    cleanup.push(() => collector.stop());
    let sim: SimulatedModbusDevice | undefined;
    let agent: RunningAgent | undefined;
    if (withDevice) {
      const s = await startModbusDevice(vfd);
      sim = s;
      cleanup.push(() => s.stop());
      const c = creds.get(DEVICE);
      const config = checkAgentConfig({
        mqtt: { url: collector.mqttUrl, reconnect: { minMs: 200, maxMs: 2000 } },
        stateDir: join(dir.path, 'agent'),
        devices: [{
          id: DEVICE, site: SITE, model: 'VFD-4000', firmware: '2.3.1',
          username: c?.username, password: c?.password, writeKey: c?.writeKey,
          modbus: { host: s.host, port: s.port, intervals: { normal: 100 }, timeoutMs: 500 },
        }],
        telemetry: { intervalMs: 200 }, detection: { preFaultWindowS: 10 },
      }, 'browser-test');
      const a = await startAgent(config, { log: silentLogger() });
      agent = a;
      cleanup.push(() => a.stop());
    }
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    cleanup.push(() => browser.close());
    const baseUrl = collector.httpUrl;

    const api = async <T>(role: Role, path: string, init: { method?: string; body?: unknown } = {}): Promise<T> => {
      const res = await fetch(`${baseUrl}${path}`, {
        method: init.method ?? 'GET',
        headers: { ...callers[role].headers, ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path}: HTTP ${res.status} ${text}`);
      return (text ? JSON.parse(text) : undefined) as T;
    };

    const login: BrowserStack['login'] = async (role, o = {}) => {
      const context = await browser.newContext({
        viewport: o.viewport ?? { width: 1366, height: 768 }, timezoneId: o.timezoneId ?? 'Europe/Berlin', locale: o.locale ?? 'en-GB',
      });
      cleanup.push(() => context.close());
      const page = await context.newPage();
      await page.goto(`${baseUrl}/`);
      await page.fill('#login-user', USERS[role]);
      await page.fill('#login-pass', TEST_PASSWORD);
      await page.click('button[type=submit]');
      await page.waitForSelector('header.top');
      return { context, page };
    };

    if (withDevice) {
      await waitFor('the device to come online', async () => {
        const { devices } = await api<{ devices: Array<{ device: string; online: boolean }> }>('admin', '/api/devices');
        return devices.find((d) => d.device === DEVICE && d.online);
      }, 20_000);
    }
    return { collector, sim, agent, browser, baseUrl, dataDir: dir.path, callers, api, login, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
