/**
 * A write checked against the device's parameter catalogue as its last birth announced it, before it
 * is signed and sent: a value outside a parameter's write range is refused here (the agent refuses it
 * too, against its own adapter, which stays the authority). Parameters the catalogue does not know,
 * or that it lists without a range, are left to the agent.
 */
import type { ParameterInfo } from '../../../protocol/values.js';

/** One refusal per value outside its range, naming the parameter, the value and the range. */
export function writeRangeProblems(values: ReadonlyArray<{ name: string; value: number }>, catalogue: readonly ParameterInfo[]): string[] {
  const problems: string[] = [];
  for (const { name, value } of values) {
    const parameter = catalogue.find((p) => p.name === name);
    const range = parameter?.writeRange;
    if (!parameter || !range || (value >= range.min && value <= range.max)) continue;
    const u = parameter.unit ? ` ${parameter.unit}` : '';
    problems.push(`"${name}": ${value}${u} is outside ${range.min}–${range.max}${u}`);
  }
  return problems;
}
