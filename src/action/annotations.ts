// Annotations on the finding lines, within GitHub's caps: at most 10 annotations of each type per
// step and 50 per job. Errors go first, then warnings, then notices; what does not fit is counted
// (the job summary says so).

import { safeText } from '../core/safe-text.js';
import { compareFindings, type Finding } from '../core/types.js';

export type AnnotationLevel = 'error' | 'warning' | 'notice';

export interface AnnotationCaps {
  perTypePerStep: number;
  perJob: number;
}

export const GITHUB_ANNOTATION_CAPS: AnnotationCaps = { perTypePerStep: 10, perJob: 50 };

export interface PlannedAnnotation {
  level: AnnotationLevel;
  message: string;
  properties: { title: string; file: string; startLine: number; startColumn: number };
}

export interface AnnotationPlan {
  annotations: PlannedAnnotation[];
  omitted: Record<AnnotationLevel, number>;
}

const LEVEL_OF = { error: 'error', warning: 'warning', info: 'notice' } as const;
const ORDER: AnnotationLevel[] = ['error', 'warning', 'notice'];

/**
 * @param usedInJob annotations earlier steps of the job already made (counts against perJob).
 */
export function planAnnotations(
  findings: readonly Finding[],
  caps: AnnotationCaps = GITHUB_ANNOTATION_CAPS,
  usedInJob = 0,
): AnnotationPlan {
  const annotations: PlannedAnnotation[] = [];
  const omitted: Record<AnnotationLevel, number> = { error: 0, warning: 0, notice: 0 };
  let jobLeft = Math.max(0, caps.perJob - usedInJob);
  const sorted = [...findings].sort(compareFindings);
  for (const level of ORDER) {
    let stepLeft = caps.perTypePerStep;
    for (const f of sorted) {
      if (LEVEL_OF[f.severity] !== level) continue;
      if (stepLeft === 0 || jobLeft === 0) {
        omitted[level]++;
        continue;
      }
      stepLeft--;
      jobLeft--;
      annotations.push({
        level,
        // Titles, SQL and paths in a message are the PR's: no control or bidi character reaches the log.
        message: safeText(f.message),
        properties: {
          title: `dashboard-ci: ${safeText(f.rule)}`,
          file: f.file,
          startLine: Math.max(1, f.line),
          startColumn: Math.max(1, f.column),
        },
      });
    }
  }
  return { annotations, omitted };
}

export function omittedTotal(plan: AnnotationPlan): number {
  return plan.omitted.error + plan.omitted.warning + plan.omitted.notice;
}

/** One trusted markdown line for the summary, or undefined when everything was annotated. */
export function omittedLine(
  plan: AnnotationPlan,
  caps: AnnotationCaps = GITHUB_ANNOTATION_CAPS,
): string | undefined {
  if (omittedTotal(plan) === 0) return undefined;
  const parts: string[] = [];
  if (plan.omitted.error) parts.push(`${plan.omitted.error} error${plan.omitted.error === 1 ? '' : 's'}`);
  if (plan.omitted.warning)
    parts.push(`${plan.omitted.warning} warning${plan.omitted.warning === 1 ? '' : 's'}`);
  if (plan.omitted.notice)
    parts.push(`${plan.omitted.notice} info finding${plan.omitted.notice === 1 ? '' : 's'}`);
  return (
    `> [!NOTE]\n> GitHub shows at most ${caps.perTypePerStep} annotations of each type per step and ${caps.perJob} per job: ` +
    `${parts.join(', ')} not annotated (all are listed in this report).`
  );
}
