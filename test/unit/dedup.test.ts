import { applyDedup, recordKeyedAlerts } from '../../domain/dedup';
import { newIncidentState, type Alert, type KeyedAlert } from '../../domain/incident';

const ev = (action: Alert['action'], dedupKey?: string, at = '2026-11-22T10:00:00Z'): Alert => ({
  provider: 'openai',
  kind: 'outage',
  summary: 's',
  source: 'pd',
  observedAt: at,
  action,
  ...(dedupKey ? { dedupKey } : {}),
});

test('PagerDuty dedup: same key same alert; ack/resolve act on open alerts; trigger after resolve is new', () => {
  const t: Record<string, KeyedAlert> = {};
  expect(applyDedup(t, ev('acknowledge', 'k1'))).toBe('dropped'); // nothing open yet
  expect(applyDedup(t, ev('trigger', 'k1'))).toBe('new');
  expect(applyDedup(t, ev('trigger', 'k1'))).toBe('merged');
  expect(applyDedup(t, ev('acknowledge', 'k1'))).toBe('acknowledged');
  expect(applyDedup(t, ev('trigger', 'k1'))).toBe('merged'); // still open while acknowledged
  expect(t.k1).toMatchObject({ status: 'acknowledged', count: 3 });
  expect(applyDedup(t, ev('resolve', 'k1'))).toBe('resolved');
  expect(applyDedup(t, ev('resolve', 'k1'))).toBe('dropped');
  expect(applyDedup(t, ev('acknowledge', 'k1'))).toBe('dropped');
  expect(applyDedup(t, ev('trigger', 'k1'))).toBe('new');
  expect(t.k1).toMatchObject({ status: 'triggered', count: 1 });
  expect(applyDedup(t, ev(undefined))).toBe('new'); // no key: always a new alert
  expect(applyDedup(t, ev('resolve'))).toBe('dropped');
});

test('the table is bounded: resolved alerts are evicted first, then the least recently seen', () => {
  const t: Record<string, KeyedAlert> = {};
  applyDedup(t, ev('trigger', 'a', '2026-01-01T00:00:01Z'), 3);
  applyDedup(t, ev('trigger', 'b', '2026-01-01T00:00:02Z'), 3);
  applyDedup(t, ev('trigger', 'c', '2026-01-01T00:00:03Z'), 3);
  applyDedup(t, ev('resolve', 'b', '2026-01-01T00:00:04Z'), 3);
  applyDedup(t, ev('trigger', 'd', '2026-01-01T00:00:05Z'), 3);
  expect(Object.keys(t).sort()).toEqual(['a', 'c', 'd']);
  applyDedup(t, ev('trigger', 'e', '2026-01-01T00:00:06Z'), 3);
  expect(Object.keys(t).sort()).toEqual(['c', 'd', 'e']);
});

test('recordKeyedAlerts counts distinct and dropped on the incident', () => {
  const s = newIncidentState({
    id: 'openai-1',
    scope: 'openai',
    provider: 'openai',
    title: 't',
    now: '2026-11-22T10:00:00Z',
  });
  const out = recordKeyedAlerts(s, [
    ev('trigger', 'x'),
    ev('trigger', 'x'),
    ev('trigger', 'y'),
    ev('resolve', 'z'),
    ev('trigger'),
  ]);
  expect(out).toEqual({ new: 3, merged: 1, acknowledged: 0, resolved: 0, dropped: 1 });
  expect(s.alerts).toMatchObject({ distinct: 3, dropped: 1 });
});
