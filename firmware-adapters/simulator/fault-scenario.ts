/**
 * A plant that misbehaves now and then: every `everyMs` one fault (taken in turn from the
 * adapter's fault tables, or a threshold excursion) is injected into the device model and
 * removed again after `durationMs`. The timers are the only side effect.
 */
import type { DeviceModel } from './device-model.js';

export interface ScenarioStep {
  kind: 'code' | 'force';
  /** fault register value for 'code'; the forced parameter for 'force' */
  code: number;
  parameter: string;
  value: number;
  label: string;
}

/** Every fault the adapter can show, in a stable order: its fault codes, then its threshold rules pushed past their limits. */
export function scenarioSteps(model: DeviceModel): ScenarioStep[] {
  const a = model.adapter;
  const codes = a.faultTables.flatMap((t) => Object.entries(t.codes).map(([v, def]): ScenarioStep => ({ kind: 'code', code: Number(v), parameter: '', value: 0, label: def.code })));
  const limits = a.thresholds.map((r): ScenarioStep => ({
    kind: 'force', code: 0, parameter: r.parameter, label: r.code,
    value: r.direction === 'above' ? r.limit + r.deadband + 3 : r.limit - r.deadband - 3,
  }));
  return [...codes, ...limits];
}

export function applyStep(model: DeviceModel, step: ScenarioStep, on: boolean): void {
  if (step.kind === 'code') {
    if (on) model.injectFault(step.code); else model.clearFault();
  } else if (on) {
    model.force(step.parameter, step.value);
  } else {
    model.release(step.parameter);
  }
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
      applyStep(this.model, step, true);
      this.opts.onStep?.(step, true);
      this.timer = setTimeout(() => {
        applyStep(this.model, step, false);
        this.opts.onStep?.(step, false);
        this.timer = setTimeout(cycle, Math.max(0, this.opts.everyMs - this.opts.durationMs));
      }, this.opts.durationMs);
    };
    this.timer = setTimeout(cycle, this.opts.firstAfterMs ?? this.opts.everyMs);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
