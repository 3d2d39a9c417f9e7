/**
 * A plant that misbehaves now and then: every `everyMs` one fault (taken in turn from the
 * adapter's fault tables, thresholds and rules; see fault-recipes.ts) is injected into the
 * device model and removed again after `durationMs`, or later when the fault's rule needs
 * longer to see it (an on-delay, a stuck time). The timers are the only side effect.
 */
import type { DeviceModel } from './device-model.js';
import { detectionDelays, faultRecipes, type FaultRecipe } from './fault-recipes.js';

/** Extra time a fault stays injected beyond what its rule needs, so a poll or two can see it. */
const SEE_MARGIN_MS = 3000;

export interface ScenarioStep {
  /** The fault code injected. */
  label: string;
  /** How the simulator shows it: a register value, a bit, a forced value, a ramp or a freeze. */
  kind: FaultRecipe['kind'];
  /** How long the agent's rule needs to see it (0: at once). */
  detectMs: number;
}

/** Every fault the adapter can show over Modbus, in a stable order: fault tables, thresholds, rules. */
export function scenarioSteps(model: DeviceModel): ScenarioStep[] {
  const delays = detectionDelays(model.adapter);
  return [...faultRecipes(model.adapter)].map(([label, recipe]) => ({ label, kind: recipe.kind, detectMs: delays.get(label) ?? 0 }));
}

export function applyStep(model: DeviceModel, step: ScenarioStep, on: boolean): void {
  if (on) model.injectFaultCode(step.label); else model.clearFaultCode(step.label);
}

/** How long a step stays injected: the scenario's duration, or longer when the fault's rule needs longer to see it. */
export function stepDurationMs(step: ScenarioStep, durationMs: number): number {
  return step.detectMs > 0 ? Math.max(durationMs, step.detectMs + SEE_MARGIN_MS) : durationMs;
}

export class FaultScenario {
  private timer: NodeJS.Timeout | null = null;
  private next = 0;

  constructor(
    private readonly model: DeviceModel,
    private readonly opts: { everyMs: number; durationMs: number; firstAfterMs?: number; onStep?: (step: ScenarioStep, on: boolean) => void },
  ) {}

  start(): void {
    const steps = scenarioSteps(this.model);
    if (steps.length === 0) return;
    const cycle = (): void => {
      const step = steps[this.next++ % steps.length]!;
      const onMs = stepDurationMs(step, this.opts.durationMs);
      applyStep(this.model, step, true);
      this.opts.onStep?.(step, true);
      this.timer = setTimeout(() => {
        applyStep(this.model, step, false);
        this.opts.onStep?.(step, false);
        this.timer = setTimeout(cycle, Math.max(0, this.opts.everyMs - onMs));
      }, onMs);
    };
    this.timer = setTimeout(cycle, this.opts.firstAfterMs ?? this.opts.everyMs);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
