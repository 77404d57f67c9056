// Which route version wins at a publisher: higher versions, and a re-created routing entity (versions
// restarted, later change time); never a late copy of an older change.
import { isNewerRoute } from '../../domain/route-order';

const at = (version: number, updatedAt: string) => ({ version, updatedAt });

test('the first route, and higher versions, win', () => {
  expect(isNewerRoute(at(1, '2026-11-30T10:00:00Z'), undefined)).toBe(true);
  expect(isNewerRoute(at(5, '2026-11-30T10:00:00Z'), at(4, '2026-11-30T10:00:00Z'))).toBe(true);
});

test('the same version, or a late copy of an older change, does not', () => {
  expect(isNewerRoute(at(4, '2026-11-30T10:00:00Z'), at(4, '2026-11-30T10:00:00Z'))).toBe(false);
  expect(isNewerRoute(at(3, '2026-11-30T09:59:00Z'), at(4, '2026-11-30T10:00:00Z'))).toBe(false);
});

test('a re-created routing entity (versions restarted) wins by its later change time', () => {
  expect(isNewerRoute(at(1, '2026-11-30T11:00:00Z'), at(40, '2026-11-30T10:00:00Z'))).toBe(true);
});
