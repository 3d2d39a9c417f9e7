/**
 * GET /api/fault-texts: the Chinese twins of the adapters' fault messages, remedies and knowledge
 * entries (the adapters' `zh`), keyed by fault code, so the dashboard shows them in the Chinese UI
 * and falls back to the English the event carried. Codes with `${group}` placeholders are left out;
 * a message with placeholders comes with its English template, so the UI can carry the values over
 * from the English message the event brought. Any signed-in user.
 */
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Adapter } from '../../firmware-adapters/schema.js';
import { errorResponses } from './schemas.js';

const Text = Type.Optional(Type.String());
export const FaultTextsJson = Type.Object({
  lang: Type.Literal('zh'),
  faults: Type.Record(Type.String(), Type.Object({ message: Text, remedy: Text, template: Type.Optional(Type.String({ description: 'the English message template when the message has ${group} placeholders: the UI takes the values from the English message' })) })),
  knowledge: Type.Record(Type.String(), Type.Object({ symptoms: Text, remedy: Text, diagnosis: Type.Optional(Type.Array(Type.String())) })),
});
export type FaultTextsJson = Static<typeof FaultTextsJson>;

/** Pure: the adapters' Chinese texts by fault code (the first adapter naming a code wins). */
export function faultTexts(adapters: readonly Adapter[]): FaultTextsJson {
  const faults: FaultTextsJson['faults'] = {};
  const knowledge: FaultTextsJson['knowledge'] = {};
  for (const a of adapters) {
    const all = [...a.faultTables.flatMap((x) => Object.values(x.codes)), ...a.thresholds, ...(a.rules ?? []), ...(a.logPatterns ?? [])];
    for (const f of all) {
      if (!f.zh || f.code.includes('${') || faults[f.code]) continue;
      faults[f.code] = {
        ...(f.zh.message ? { message: f.zh.message } : {}), ...(f.zh.remedy ? { remedy: f.zh.remedy } : {}),
        ...(f.zh.message && f.message.includes('${') ? { template: f.message } : {}),
      };
    }
    for (const k of a.knowledge) {
      if (!k.zh || knowledge[k.code]) continue;
      knowledge[k.code] = { ...k.zh };
    }
  }
  return { lang: 'zh', faults, knowledge };
}

export async function faultTextRoutes(app: FastifyInstance, opts: { adapters: readonly Adapter[] }): Promise<void> {
  const texts = faultTexts(opts.adapters);
  app.get('/api/fault-texts', {
    schema: { summary: 'Chinese fault messages, remedies and knowledge entries from the firmware adapters, by fault code', response: { 200: FaultTextsJson, ...errorResponses } },
  }, async (): Promise<FaultTextsJson> => texts);
}
