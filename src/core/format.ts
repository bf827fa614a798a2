// Numbers as reports print them: deterministic, no locale.

function trimZeros(s: string): string {
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

/** 1234 → `1,234`; 12345 → `12.3k`; 4567890 → `4.57M` (deterministic, no locale). */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return '—';
  const abs = Math.abs(n);
  if (abs < 10_000) return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const units: [number, string][] = [
    [1e12, 'T'],
    [1e9, 'B'],
    [1e6, 'M'],
    [1e3, 'k'],
  ];
  for (const [div, suffix] of units) {
    if (abs >= div) {
      const v = n / div;
      const digits = Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2;
      return trimZeros(v.toFixed(digits)) + suffix;
    }
  }
  return String(n);
}

export function formatPercent(fraction: number): string {
  const p = fraction * 100;
  const digits = Math.abs(p) >= 10 || p === 0 ? 0 : 1;
  return trimZeros(p.toFixed(digits)) + '%';
}

/** +25% / -3%: a relative change, signed. */
export function formatChange(change: number): string {
  const pct = Math.round(change * 100);
  return `${pct >= 0 ? '+' : ''}${pct}%`;
}
