/** What every detector produces: a fault raised or cleared, with what travels with its event. */
import type { FaultDef } from '../../firmware-adapters/schema.js';
import type { Source } from '../../protocol/values.js';

export interface FaultTransition {
  fault: FaultDef;
  source: Source;
  transition: 'raise' | 'clear';
  /** Parameters whose pre-fault window travels with the event. */
  related: readonly string[];
  labels: Record<string, string>;
}
