import type { Report } from '../core/types.js';

/** The JSON report of DESIGN.md "Contracts": stable key order, two-space indent, trailing newline. */
export function renderJson(report: Report): string {
  return JSON.stringify(report, null, 2) + '\n';
}
