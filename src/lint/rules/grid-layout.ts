import { isObject, type PanelModel } from '../../dashboards/model.js';
import { createRule } from '../create-rule.js';

// Grafana's grid is 24 columns wide; heights are in grid rows. A panel past column 24 is squeezed or
// wrapped by the browser, and overlapping panels are pushed around on load, so the saved layout is not
// the layout people see.
const COLUMNS = 24;

interface Box {
  panel: PanelModel;
  x: number;
  y: number;
  w: number;
  h: number;
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function overlaps(a: Box, b: Box): boolean {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

function describe(b: Box): string {
  const name = b.panel.type === 'row' ? 'row' : 'panel';
  const id = b.panel.id !== undefined ? ` ${b.panel.id}` : '';
  const title = b.panel.title ? ` "${b.panel.title.slice(0, 40)}"` : '';
  return `${name}${id}${title} (x ${b.x}–${b.x + b.w}, y ${b.y}–${b.y + b.h})`;
}

export default createRule({
  id: 'grid-layout',
  scope: 'dashboard',
  meta: {
    description: 'Panels fit the 24-column grid, have a positive size and do not overlap.',
    severity: 'error',
    messages: {
      size: 'gridPos.{{key}} is {{value}}: a panel needs a width and height of at least 1',
      negative: 'gridPos.{{key}} is {{value}}: positions start at 0',
      width: 'gridPos x {{x}} + w {{w}} = {{end}} goes past the {{columns}}-column grid',
      overlap: 'overlaps {{other}}',
    },
    help:
      'Keep x + w ≤ 24 and give every panel w ≥ 1 and h ≥ 1. Overlapping panels are moved by Grafana when ' +
      'the dashboard loads, so the saved layout is not what people see. Panels inside a collapsed row are ' +
      'laid out against their row siblings only.',
  },
  create(context) {
    return (dashboard) => {
      // A library panel's own gridPos is not used: the dashboard's reference places it.
      if (dashboard.format.shape === 'library-panel') return;
      // Top-level panels share one grid (row bars included); a collapsed row's children are laid out
      // only when the row opens, relative to their siblings, so each such row is its own grid.
      const groups = new Map<PanelModel | undefined, Box[]>();
      for (const panel of dashboard.panels) {
        const gp = panel.raw.gridPos;
        if (!isObject(gp)) continue;
        const x = num(gp.x);
        const y = num(gp.y);
        const w = num(gp.w);
        const h = num(gp.h);
        if (x === undefined || y === undefined || w === undefined || h === undefined) continue; // schema's job
        let valid = true;
        for (const [key, value] of [
          ['w', w],
          ['h', h],
        ] as const) {
          if (value <= 0) {
            valid = false;
            context.report({
              messageId: 'size',
              data: { key, value },
              panel,
              path: [...panel.path, 'gridPos', key],
            });
          }
        }
        for (const [key, value] of [
          ['x', x],
          ['y', y],
        ] as const) {
          if (value < 0) {
            valid = false;
            context.report({
              messageId: 'negative',
              data: { key, value },
              panel,
              path: [...panel.path, 'gridPos', key],
            });
          }
        }
        if (x + w > COLUMNS) {
          context.report({
            messageId: 'width',
            data: { x, w, end: x + w, columns: COLUMNS },
            panel,
            path: [...panel.path, 'gridPos'],
          });
        }
        if (!valid) continue;
        // A row bar always spans the full width and one grid row, whatever its gridPos says.
        const box: Box = panel.type === 'row' ? { panel, x: 0, y, w: COLUMNS, h: 1 } : { panel, x, y, w, h };
        const key = panel.nested ? panel.row : undefined;
        const group = groups.get(key);
        if (group) group.push(box);
        else groups.set(key, [box]);
      }
      for (const boxes of groups.values()) {
        for (let j = 1; j < boxes.length; j++) {
          const b = boxes[j]!;
          for (let i = 0; i < j; i++) {
            const a = boxes[i]!;
            if (!overlaps(a, b)) continue;
            context.report({
              messageId: 'overlap',
              data: { other: describe(a) },
              panel: b.panel,
              path: [...b.panel.path, 'gridPos'],
            });
            break;
          }
        }
      }
    };
  },
});
