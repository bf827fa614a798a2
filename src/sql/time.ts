// Grafana's time arithmetic, computed in UTC so results do not depend on the machine's zone:
// dashboard time ranges (date math), the panel interval, and the interval and date formats.

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;

type Unit = 'y' | 'Q' | 'M' | 'w' | 'd' | 'h' | 'm' | 's';
const UNITS = new Set<string>(['y', 'Q', 'M', 'w', 'd', 'h', 'm', 's']);

function addMonths(ms: number, months: number): number {
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth() + months;
  const targetY = y + Math.floor(m / 12);
  const targetM = ((m % 12) + 12) % 12;
  // moment clamps the day to the target month's length (Jan 31 + 1M = Feb 28/29).
  const lastDay = new Date(Date.UTC(targetY, targetM + 1, 0)).getUTCDate();
  const day = Math.min(d.getUTCDate(), lastDay);
  return Date.UTC(
    targetY,
    targetM,
    day,
    d.getUTCHours(),
    d.getUTCMinutes(),
    d.getUTCSeconds(),
    d.getUTCMilliseconds(),
  );
}

function add(ms: number, n: number, unit: Unit): number {
  switch (unit) {
    case 's':
      return ms + n * SECOND;
    case 'm':
      return ms + n * MINUTE;
    case 'h':
      return ms + n * HOUR;
    case 'd':
      return ms + n * DAY;
    case 'w':
      return ms + n * WEEK;
    case 'M':
      return addMonths(ms, n);
    case 'Q':
      return addMonths(ms, 3 * n);
    case 'y':
      return addMonths(ms, 12 * n);
  }
}

function startOf(ms: number, unit: Unit, fiscalYearStartMonth: number, fiscal: boolean): number {
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  const mo = d.getUTCMonth();
  switch (unit) {
    case 's':
      return ms - (((ms % SECOND) + SECOND) % SECOND);
    case 'm':
      return ms - (((ms % MINUTE) + MINUTE) % MINUTE);
    case 'h':
      return ms - (((ms % HOUR) + HOUR) % HOUR);
    case 'd':
      return Date.UTC(y, mo, d.getUTCDate());
    case 'w':
      // moment's default (en) locale starts weeks on Sunday.
      return Date.UTC(y, mo, d.getUTCDate() - d.getUTCDay());
    case 'M':
      return Date.UTC(y, mo, 1);
    case 'Q': {
      const base = fiscal ? fiscalYearStartMonth : 0;
      const back = (((mo - base) % 3) + 3) % 3;
      return Date.UTC(y, mo - back, 1);
    }
    case 'y': {
      if (!fiscal) return Date.UTC(y, 0, 1);
      const back = (mo - fiscalYearStartMonth + 12) % 12;
      return Date.UTC(y, mo - back, 1);
    }
  }
}

function endOf(ms: number, unit: Unit, fiscalYearStartMonth: number, fiscal: boolean): number {
  const start = startOf(ms, unit, fiscalYearStartMonth, fiscal);
  return add(start, unit === 'y' && fiscal ? 12 : 1, unit === 'y' && fiscal ? 'M' : unit) - 1;
}

/** Applies Grafana date math (`-7d`, `/d`, `+1M/M`, fiscal `/fy`) to `ms`; undefined when malformed. */
export function applyDateMath(
  math: string,
  ms: number,
  roundUp: boolean,
  fiscalYearStartMonth = 0,
): number | undefined {
  let s = '';
  for (let i = 0; i < math.length; i++) {
    const ch = math[i]!;
    if (ch !== ' ' && ch !== '\t' && ch !== '\n' && ch !== '\r') s += ch;
  }
  let t = ms;
  let i = 0;
  while (i < s.length) {
    const op = s[i++];
    if (op !== '/' && op !== '+' && op !== '-') return undefined;
    let num = 1;
    const numFrom = i;
    while (i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++;
    if (i > numFrom) {
      if (i - numFrom > 10) return undefined;
      num = parseInt(s.slice(numFrom, i), 10);
    }
    if (op === '/' && num !== 1) return undefined;
    let unit = s[i++];
    let fiscal = false;
    if (unit === 'f') {
      fiscal = true;
      unit = s[i++];
    }
    if (unit === undefined || !UNITS.has(unit)) return undefined;
    const u = unit as Unit;
    if (op === '/')
      t = roundUp ? endOf(t, u, fiscalYearStartMonth, fiscal) : startOf(t, u, fiscalYearStartMonth, fiscal);
    else if (op === '+') t = add(t, num, u);
    else t = add(t, -num, u);
  }
  return t;
}

/** An absolute time as dashboards store it: ISO 8601 (no zone = UTC), `YYYYMMDD`, or epoch milliseconds. */
function parseAbsolute(text: string): number | undefined {
  const s = text.trim();
  if (/^\d+$/.test(s)) {
    if (s.length === 8) {
      const ms = Date.UTC(+s.slice(0, 4), +s.slice(4, 6) - 1, +s.slice(6, 8));
      return Number.isNaN(ms) ? undefined : ms;
    }
    return Number(s);
  }
  const m =
    /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i.exec(
      s,
    );
  if (!m) return undefined;
  if (
    +m[2]! < 1 ||
    +m[2]! > 12 ||
    +m[3]! < 1 ||
    +m[3]! > 31 ||
    +(m[4] ?? 0) > 23 ||
    +(m[5] ?? 0) > 59 ||
    +(m[6] ?? 0) > 60
  ) {
    return undefined;
  }
  const frac = m[7] ? Number(`0.${m[7]}`) * 1000 : 0;
  let ms = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0), Math.floor(frac));
  const zone = m[8];
  if (zone && zone.toUpperCase() !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    ms -= sign * (+digits.slice(0, 2) * HOUR + +digits.slice(2, 4) * MINUTE);
  }
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * Parses one end of a dashboard time range: `now`, `now-7d`, `now/d`, `now-1M/M`, ISO strings,
 * epoch ms (number or string), `abs||+1d`. `roundUp` is true for `to` (rounding goes to the end of the unit).
 */
export function parseTimeExpression(
  value: unknown,
  nowMs: number,
  roundUp: boolean,
  fiscalYearStartMonth = 0,
): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const text = value.trim();
  if (text.startsWith('now')) return applyDateMath(text.slice(3), nowMs, roundUp, fiscalYearStartMonth);
  const bars = text.indexOf('||');
  const base = parseAbsolute(bars === -1 ? text : text.slice(0, bars));
  if (base === undefined) return undefined;
  return bars === -1 ? base : applyDateMath(text.slice(bars + 2), base, roundUp, fiscalYearStartMonth);
}

// Grafana's "nice interval" ladder (rangeutil.roundInterval): [upper bound exclusive, result] in ms.
const ROUND_LADDER: readonly (readonly [number, number])[] = [
  [10, 1],
  [15, 10],
  [35, 20],
  [75, 50],
  [150, 100],
  [350, 200],
  [750, 500],
  [1500, 1000],
  [3500, 2000],
  [7500, 5000],
  [12500, 10000],
  [17500, 15000],
  [25000, 20000],
  [45000, 30000],
  [90000, 60000],
  [210000, 120000],
  [450000, 300000],
  [750000, 600000],
  [1050000, 900000],
  [1500000, 1200000],
  [2700000, 1800000],
  [5400000, 3600000],
  [9000000, 7200000],
  [16200000, 10800000],
  [32400000, 21600000],
  [86400000, 43200000],
  [604800000, 86400000],
  [1814400000, 604800000],
  [3628800000, 2592000000],
];

export function roundInterval(ms: number): number {
  for (const [bound, value] of ROUND_LADDER) if (ms < bound) return value;
  return 31536000000;
}

const INTERVAL_SECONDS: Record<string, number> = {
  y: 31536000,
  M: 2592000,
  w: 604800,
  d: 86400,
  h: 3600,
  m: 60,
  s: 1,
  ms: 0.001,
};
const INTERVAL_RE = /(-?\d+(?:\.\d+)?)(ms|[Mwdhmsy])/;

/** Grafana's interval strings (`10s`, `1m`, `500ms`, bare seconds `30`) in ms; undefined when unreadable. */
export function intervalToMs(text: string): number | undefined {
  const s = text.trim().replace(/^>/, '');
  if (s !== '' && Number(s)) return parseInt(s, 10) * 1000;
  const m = INTERVAL_RE.exec(s);
  if (!m) return undefined;
  return INTERVAL_SECONDS[m[2]!]! * 1000 * parseInt(m[1]!, 10);
}

/** Grafana's frontend interval text (rangeutil.secondsToHms): the largest whole unit. */
export function secondsToHms(seconds: number): string {
  const years = Math.floor(seconds / 31536000);
  if (years) return `${years}y`;
  const days = Math.floor((seconds % 31536000) / 86400);
  if (days) return `${days}d`;
  const hours = Math.floor(((seconds % 31536000) % 86400) / 3600);
  if (hours) return `${hours}h`;
  const minutes = Math.floor((((seconds % 31536000) % 86400) % 3600) / 60);
  if (minutes) return `${minutes}m`;
  const secs = Math.floor((((seconds % 31536000) % 86400) % 3600) % 60);
  if (secs) return `${secs}s`;
  const millis = Math.floor(seconds * 1000);
  if (millis) return `${millis}ms`;
  return 'less than a millisecond';
}

/** The backend's interval text (gtime.FormatInterval), used by `$__interval` in alert queries. */
export function formatIntervalBackend(ms: number): string {
  const year = 365 * DAY;
  if (ms >= year) return `${Math.floor(ms / year)}y`;
  if (ms >= DAY) return `${Math.floor(ms / DAY)}d`;
  if (ms >= HOUR) return `${Math.floor(ms / HOUR)}h`;
  if (ms >= MINUTE) return `${Math.floor(ms / MINUTE)}m`;
  if (ms >= SECOND) return `${Math.floor(ms / SECOND)}s`;
  if (ms >= 1) return `${Math.floor(ms)}ms`;
  return '1ms';
}

/** rangeutil.calculateInterval: range / resolution on the nice ladder, never below the low limit. */
export function calculateIntervalMs(rangeMs: number, resolution: number, lowLimitMs = 1): number {
  const interval = roundInterval(rangeMs / Math.max(resolution, 1));
  return Math.max(interval, lowLimitMs);
}

const GO_UNITS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60000,
  h: 3600000,
};

/** Go's time.ParseDuration (`5m`, `1h30m`, `1.5s`; no `d`): milliseconds, or undefined when invalid. */
export function parseGoDuration(text: string): number | undefined {
  let s = text;
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    if (s[0] === '-') sign = -1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') return undefined;
  let total = 0;
  let i = 0;
  while (i < s.length) {
    const numFrom = i;
    while (i < s.length && ((s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) || s[i] === '.')) i++;
    const num = s.slice(numFrom, i);
    if (num === '' || num === '.' || num.split('.').length > 2) return undefined;
    const unitFrom = i;
    while (i < s.length && !((s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) || s[i] === '.')) i++;
    const factor = GO_UNITS[s.slice(unitFrom, i)];
    if (factor === undefined) return undefined;
    total += Number(num) * factor;
  }
  return sign * total;
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function ordinal(n: number): string {
  const b = n % 10;
  const suffix =
    Math.floor((n % 100) / 10) === 1 ? 'th' : b === 1 ? 'st' : b === 2 ? 'nd' : b === 3 ? 'rd' : 'th';
  return `${n}${suffix}`;
}

// Longest tokens first, so `MMMM` wins over `MM`.
const MOMENT_TOKENS = [
  'YYYY',
  'MMMM',
  'dddd',
  'DDDD',
  'SSS',
  'MMM',
  'ddd',
  'DDD',
  'YY',
  'MM',
  'DD',
  'Do',
  'HH',
  'hh',
  'kk',
  'mm',
  'ss',
  'SS',
  'ZZ',
  'dd',
  'Q',
  'M',
  'D',
  'd',
  'H',
  'h',
  'k',
  'm',
  's',
  'S',
  'A',
  'a',
  'Z',
  'X',
  'x',
] as const;

/**
 * A subset of moment's format tokens (UTC): years, quarters, months, days, weekdays, hours (12/24),
 * minutes, seconds, fractions, AM/PM, zone offsets, Unix seconds/ms, and `[literal]` text.
 */
export function formatMoment(ms: number, format: string): string {
  const d = new Date(ms);
  const Y = d.getUTCFullYear();
  const Mo = d.getUTCMonth();
  const D = d.getUTCDate();
  const H = d.getUTCHours();
  const mi = d.getUTCMinutes();
  const se = d.getUTCSeconds();
  const msec = d.getUTCMilliseconds();
  const wd = d.getUTCDay();
  const h12 = H % 12 === 0 ? 12 : H % 12;
  let out = '';
  let i = 0;
  outer: while (i < format.length) {
    if (format[i] === '[') {
      const close = format.indexOf(']', i + 1);
      if (close !== -1) {
        out += format.slice(i + 1, close);
        i = close + 1;
        continue;
      }
    }
    for (const tok of MOMENT_TOKENS) {
      if (!format.startsWith(tok, i)) continue;
      i += tok.length;
      switch (tok) {
        case 'YYYY':
          out += pad(Y, 4);
          break;
        case 'YY':
          out += pad(Y % 100, 2);
          break;
        case 'Q':
          out += String(Math.floor(Mo / 3) + 1);
          break;
        case 'MMMM':
          out += MONTHS[Mo];
          break;
        case 'MMM':
          out += MONTHS[Mo]!.slice(0, 3);
          break;
        case 'MM':
          out += pad(Mo + 1, 2);
          break;
        case 'M':
          out += String(Mo + 1);
          break;
        case 'DDDD':
        case 'DDD': {
          const doy = Math.floor((Date.UTC(Y, Mo, D) - Date.UTC(Y, 0, 1)) / DAY) + 1;
          out += tok === 'DDDD' ? pad(doy, 3) : String(doy);
          break;
        }
        case 'DD':
          out += pad(D, 2);
          break;
        case 'Do':
          out += ordinal(D);
          break;
        case 'D':
          out += String(D);
          break;
        case 'dddd':
          out += WEEKDAYS[wd];
          break;
        case 'ddd':
          out += WEEKDAYS[wd]!.slice(0, 3);
          break;
        case 'dd':
          out += WEEKDAYS[wd]!.slice(0, 2);
          break;
        case 'd':
          out += String(wd);
          break;
        case 'HH':
          out += pad(H, 2);
          break;
        case 'H':
          out += String(H);
          break;
        case 'hh':
          out += pad(h12, 2);
          break;
        case 'h':
          out += String(h12);
          break;
        case 'kk':
          out += pad(H === 0 ? 24 : H, 2);
          break;
        case 'k':
          out += String(H === 0 ? 24 : H);
          break;
        case 'mm':
          out += pad(mi, 2);
          break;
        case 'm':
          out += String(mi);
          break;
        case 'ss':
          out += pad(se, 2);
          break;
        case 's':
          out += String(se);
          break;
        case 'SSS':
          out += pad(msec, 3);
          break;
        case 'SS':
          out += pad(Math.floor(msec / 10), 2);
          break;
        case 'S':
          out += String(Math.floor(msec / 100));
          break;
        case 'A':
          out += H < 12 ? 'AM' : 'PM';
          break;
        case 'a':
          out += H < 12 ? 'am' : 'pm';
          break;
        case 'ZZ':
          out += '+0000';
          break;
        case 'Z':
          out += '+00:00';
          break;
        case 'X':
          out += String(Math.floor(ms / 1000));
          break;
        case 'x':
          out += String(ms);
          break;
      }
      continue outer;
    }
    out += format[i];
    i++;
  }
  return out;
}

/** `YYYY-MM-DD` of an instant, in UTC (the backend formats time.Time values it receives in UTC). */
export function utcDate(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}`;
}
