import { buildStartDevArgs } from '../../temporal-server/dev-server';

const base = {
  dbFilename: '/tmp/x/temporal.sqlite',
  host: '127.0.0.1',
  port: 7233,
  namespace: 'default',
  searchAttributes: { LifelinePhase: 'Keyword' as const },
};

test('SQLite durability maps to WAL pragmas; absent, the CLI default stays', () => {
  const normal = buildStartDevArgs({ ...base, sqliteSync: 'normal' });
  expect(normal.join(' ')).toContain('--sqlite-pragma journal_mode=wal --sqlite-pragma synchronous=normal');
  expect(buildStartDevArgs({ ...base, sqliteSync: 'full' }).join(' ')).toContain('--sqlite-pragma synchronous=full');
  expect(buildStartDevArgs(base)).not.toContain('--sqlite-pragma');
  expect(normal).toEqual(
    expect.arrayContaining([
      '--db-filename',
      base.dbFilename,
      '--headless',
      '--search-attribute',
      'LifelinePhase=Keyword',
    ]),
  );
});
