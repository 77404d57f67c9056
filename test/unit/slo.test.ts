// SLO maths (domain/slo.ts): error budget remaining, burn rates over the SRE workbook's windows, the
// multi-window alerts (fast 1 h + 5 min above 14.4×, slow 6 h + 30 min above 6×), burn episodes (one
// incident per episode), the budget an interval spent, bounded rings and the window spelling.
import {
  addEvents,
  budgetSpent,
  burnRate,
  errorBudget,
  firingAlert,
  formatWindow,
  HOUR,
  MINUTE,
  newSeries,
  nextEpisode,
  parseWindow,
  type SloSeries,
} from '../../domain/slo';

const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 0, 1);
const def = { target: 99.9, windowMs: 30 * DAY };

/** `perMinute` events each minute over [from, to), `bad` of them failing. */
function feedMinutes(s: SloSeries, from: number, to: number, perMinute: number, bad = 0) {
  for (let t = from; t < to; t += MINUTE) addEvents(s, t, perMinute - bad, perMinute, def.windowMs);
}

describe('error budget', () => {
  it('is untouched without failures and spent by failures in proportion to (1 − target)', () => {
    const s = newSeries();
    feedMinutes(s, T0, T0 + 10 * HOUR, 100);
    expect(errorBudget(s, T0 + 10 * HOUR, def)).toMatchObject({ total: 60_000, good: 60_000, sli: 1, remaining: 1 });
    // 60,000 events at 99.9 % allow 60 bad ones: 30 bad spend half.
    addEvents(s, T0 + 10 * HOUR, 0, 30, def.windowMs);
    const b = errorBudget(s, T0 + 10 * HOUR, def);
    expect(b.remaining).toBeCloseTo(1 - 30 / (60_030 * 0.001), 6);
    expect(b.remaining).toBeGreaterThan(0.49);
    expect(b.remaining).toBeLessThan(0.51);
  });

  it('goes negative when overspent and is whole with no events', () => {
    const s = newSeries();
    expect(errorBudget(s, T0, def)).toMatchObject({ remaining: 1, sli: null });
    addEvents(s, T0, 90, 100, def.windowMs);
    expect(errorBudget(s, T0, def).remaining).toBeCloseTo(1 - 10 / 0.1, 6);
  });

  it('forgets events older than the window', () => {
    const s = newSeries();
    addEvents(s, T0, 0, 100, def.windowMs);
    addEvents(s, T0 + 31 * DAY, 100, 100, def.windowMs);
    expect(errorBudget(s, T0 + 31 * DAY, def)).toMatchObject({ total: 100, remaining: 1 });
    // and the ring did not keep the old hour bucket
    expect(s.hours.length).toBe(1);
  });
});

describe('burn rates and multi-window alerts', () => {
  it('is the error rate divided by the budget share', () => {
    const s = newSeries();
    feedMinutes(s, T0, T0 + HOUR, 1000, 10); // 1 % errors against a 0.1 % budget
    expect(burnRate(s, T0 + HOUR - 1, HOUR, 99.9)).toBeCloseTo(10, 6);
    expect(burnRate(s, T0 + HOUR - 1, 5 * MINUTE, 99.9)).toBeCloseTo(10, 6);
    expect(burnRate(newSeries(), T0, HOUR, 99.9)).toBe(0);
  });

  it('fires fast only when both the 1 h and the 5 min window burn above 14.4×', () => {
    const s = newSeries();
    feedMinutes(s, T0 - 6 * HOUR, T0, 1000); // clean hours before, so the slow alert's 6 h stays quiet
    // An hour at 2 % errors (20×) ...
    feedMinutes(s, T0, T0 + HOUR, 1000, 20);
    const now = T0 + HOUR - 1;
    expect(firingAlert(s, now, 99.9)).toBe('fast');
    // ... that stopped 5 minutes ago: the long window still burns, the short one does not → no alert.
    feedMinutes(s, T0 + HOUR, T0 + HOUR + 6 * MINUTE, 1000, 0);
    const later = T0 + HOUR + 6 * MINUTE - 1;
    expect(burnRate(s, later, HOUR, 99.9)).toBeGreaterThan(14.4);
    expect(firingAlert(s, later, 99.9)).toBeNull();
  });

  it('does not fire fast on a short spike the hour absorbs', () => {
    const s = newSeries();
    feedMinutes(s, T0 - 6 * HOUR, T0 + 55 * MINUTE, 1000, 0);
    feedMinutes(s, T0 + 55 * MINUTE, T0 + HOUR, 1000, 100); // 10 % for 5 min: 100× short, ~8× long
    const now = T0 + HOUR - 1;
    expect(burnRate(s, now, 5 * MINUTE, 99.9)).toBeGreaterThan(14.4);
    expect(burnRate(s, now, HOUR, 99.9)).toBeLessThan(14.4);
    expect(firingAlert(s, now, 99.9)).toBeNull();
  });

  it('fires slow when 6 h and 30 min burn above 6× (but below the fast threshold)', () => {
    const s = newSeries();
    feedMinutes(s, T0, T0 + 6 * HOUR, 1000, 8); // 8×
    expect(firingAlert(s, T0 + 6 * HOUR - 1, 99.9)).toBe('slow');
    const s2 = newSeries();
    feedMinutes(s2, T0, T0 + 6 * HOUR, 1000, 5); // 5×: nothing
    expect(firingAlert(s2, T0 + 6 * HOUR - 1, 99.9)).toBeNull();
  });

  it('keeps the minute ring to 6 h whatever the duration fed', () => {
    const s = newSeries();
    feedMinutes(s, T0, T0 + 2 * DAY, 1);
    expect(s.minutes.length).toBeLessThanOrEqual(6 * 60 + 2);
    expect(s.hours.length).toBe(48);
  });
});

describe('burn episodes', () => {
  it('opens once per episode and ends when no long window burns any more', () => {
    const s = newSeries();
    feedMinutes(s, T0, T0 + HOUR, 1000, 20);
    let ep = nextEpisode(false, s, T0 + HOUR - 1, 99.9);
    expect(ep).toEqual({ active: true, open: 'fast' });
    // Still burning: no second incident.
    feedMinutes(s, T0 + HOUR, T0 + HOUR + 10 * MINUTE, 1000, 20);
    ep = nextEpisode(ep.active, s, T0 + HOUR + 10 * MINUTE - 1, 99.9);
    expect(ep).toEqual({ active: true, open: null });
    // The short window recovers but the hour still burns: a pause, the same episode.
    feedMinutes(s, T0 + 70 * MINUTE, T0 + 76 * MINUTE, 1000, 0);
    ep = nextEpisode(ep.active, s, T0 + 76 * MINUTE - 1, 99.9);
    expect(ep).toEqual({ active: true, open: null });
    // Hours of clean traffic later, the episode is over; a new burn opens a new incident.
    feedMinutes(s, T0 + 76 * MINUTE, T0 + 8 * HOUR, 1000, 0);
    ep = nextEpisode(ep.active, s, T0 + 8 * HOUR - 1, 99.9);
    expect(ep).toEqual({ active: false, open: null });
    feedMinutes(s, T0 + 8 * HOUR, T0 + 9 * HOUR, 1000, 50);
    expect(nextEpisode(ep.active, s, T0 + 9 * HOUR - 1, 99.9).open).toBe('fast');
  });
});

describe('budget spent by an interval', () => {
  it('counts the bad events inside it against the window budget', () => {
    const s = newSeries();
    feedMinutes(s, T0, T0 + 5 * HOUR, 100);
    feedMinutes(s, T0 + 5 * HOUR, T0 + 5 * HOUR + 10 * MINUTE, 100, 3);
    const to = T0 + 5 * HOUR + 10 * MINUTE - 1;
    // 30 bad of 31,000 events: the budget is 31 events.
    expect(budgetSpent(s, T0 + 5 * HOUR, to, def)).toBeCloseTo(30 / 31, 6);
    expect(budgetSpent(s, T0, T0 + HOUR, def)).toBe(0);
  });
});

describe('windows', () => {
  it.each([
    ['30d', 30 * DAY],
    ['6h', 6 * HOUR],
    ['1h30m', 90 * MINUTE],
    ['90s', 90_000],
    ['2w', 14 * DAY],
  ])('parses %s', (v, ms) => expect(parseWindow(v)).toBe(ms));
  it.each(['', '30', 'd', '30 days', '-1h', '0m'])('rejects %j', (v) => expect(parseWindow(v)).toBeUndefined());
  it('formats the shortest spelling', () => {
    expect(formatWindow(30 * DAY)).toBe('30d');
    expect(formatWindow(90 * MINUTE)).toBe('1h30m');
  });
});
