/** The README's agent config examples are valid configs whose devices all find their adapter. */
import { readFileSync } from 'node:fs';
import t from 'tap';
import { resolveAdapter } from '../../agent/agent.js';
import { parseAgentConfig } from '../../agent/config/load-config.js';

const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
const blocks = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!).filter((b) => /^devices:/m.test(b));

t.test('every agent config example in the README', async (t) => {
  t.ok(blocks.length >= 2, `found ${blocks.length} examples`);
  const adapters = new Set<string>();
  for (const [i, text] of blocks.entries()) {
    const config = parseAgentConfig(text, `README example ${i + 1}`);
    for (const d of config.devices) adapters.add(resolveAdapter(d).id);
  }
  t.same([...adapters].sort(), ['generic-plc', 'generic-vfd', 'linux-gateway', 'temperature-controller', 'three-phase-meter'], 'each built-in adapter has an example');
});
