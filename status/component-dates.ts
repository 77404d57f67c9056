// When each status-page component first appeared, for Statuspage's `created_at`: recorded once per
// component in dataDir/status-components.json (a component added to the config later gets its own date)
// and read from memory afterwards. Statuspage consumers sort and diff on it, so it must not move.
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';

export interface ComponentDates {
  /** First-seen time of each ID (recorded now for IDs never seen before). */
  since(ids: string[], now: string): Promise<Record<string, string>>;
}

export function fileComponentDates(dataDir: string): ComponentDates {
  const file = join(dataDir, 'status-components.json');
  let known: Promise<Record<string, string>> | null = null;
  let writing: Promise<unknown> = Promise.resolve();
  const load = async () => {
    try {
      return (JSON.parse(await readFile(file, 'utf8')) as { createdAt: Record<string, string> }).createdAt ?? {};
    } catch {
      return {}; // missing or unreadable: start afresh (dates are informational, never worth a 500)
    }
  };
  return {
    async since(ids, now) {
      known ??= load();
      const dates = await known;
      const fresh = ids.filter((id) => !dates[id]);
      if (fresh.length) {
        for (const id of fresh) dates[id] = now;
        const snapshot = JSON.stringify({ createdAt: dates }, null, 2);
        writing = writing
          .then(async () => {
            await mkdir(dirname(file), { recursive: true });
            await writeFileAtomic(file, snapshot);
          })
          .catch(() => undefined);
        await writing;
      }
      return Object.fromEntries(ids.map((id) => [id, dates[id]]));
    },
  };
}

/** For tests and callers without a data directory: everything was created at `at`. */
export const fixedComponentDates = (at: string): ComponentDates => ({
  since: async (ids) => Object.fromEntries(ids.map((id) => [id, at])),
});
