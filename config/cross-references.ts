// Cross-references of a config (duplicate ids, unknown providers and chains, weights), checked over untyped
// input so they run even when the shape checks failed.
import { validateWeights } from '../domain/failover';
import { sloReferenceIssues } from './slos';
import { drillCrossReferenceIssues } from './drills';
import { outcomeOverrideIssues } from './outcomes';

export interface ConfigIssue {
  path: (string | number)[];
  message: string;
}

const list = (v: unknown): Record<string, unknown>[] =>
  Array.isArray(v) ? v.map((x) => (x && typeof x === 'object' ? (x as Record<string, unknown>) : {})) : [];
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/**
 * Cross-references (duplicate ids, chains naming unknown providers, weights, services naming unknown
 * chains). Written over untyped input so it also runs when the shape checks failed: the operator sees
 * every problem at once, not one round at a time.
 */
export function crossReferenceIssues(raw: unknown): ConfigIssue[] {
  const cfg = raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
  const issues: ConfigIssue[] = [];
  if (
    cfg.notifications &&
    typeof cfg.notifications === 'object' &&
    (cfg.notifications as Record<string, unknown>).email &&
    !cfg.smtp
  ) {
    issues.push({
      path: ['notifications', 'email'],
      message: 'email notifications need the mail server: add the smtp: section (host, from, …)',
    });
  }
  const providerIds = new Set<string>();
  list(cfg.providers).forEach((p, i) => {
    if (typeof p.id !== 'string') return;
    if (providerIds.has(p.id))
      issues.push({ path: ['providers', i, 'id'], message: `duplicate provider id "${p.id}"` });
    providerIds.add(p.id);
  });
  const chainIds = new Set<string>();
  list(cfg.chains).forEach((c, i) => {
    if (typeof c.id === 'string') {
      if (chainIds.has(c.id)) issues.push({ path: ['chains', i, 'id'], message: `duplicate chain id "${c.id}"` });
      chainIds.add(c.id);
    }
    const members = strings(c.providers);
    members.forEach((p, j) => {
      if (!providerIds.has(p)) issues.push({ path: ['chains', i, 'providers', j], message: `unknown provider "${p}"` });
    });
    if (c.weights && typeof c.weights === 'object') {
      // Non-numeric weights are the shape check's to report; sum only the numbers here.
      const numeric = Object.fromEntries(Object.entries(c.weights).filter(([, w]) => typeof w === 'number')) as Record<
        string,
        number
      >;
      for (const issue of validateWeights(numeric, members)) {
        issues.push({ path: ['chains', i, ...issue.path.split('.')], message: issue.message });
      }
    }
  });
  const componentIds = new Set([...providerIds, ...list(cfg.services).map((x) => String(x.id))]);
  const page = cfg.statusPage && typeof cfg.statusPage === 'object' ? (cfg.statusPage as Record<string, unknown>) : {};
  list(page.maintenance).forEach((m, i) => {
    strings(m.components).forEach((c, j) => {
      if (!componentIds.has(c))
        issues.push({
          path: ['statusPage', 'maintenance', i, 'components', j],
          message: `unknown component "${c}" (providers and services)`,
        });
    });
    if (typeof m.start === 'string' && typeof m.end === 'string' && Date.parse(m.end) <= Date.parse(m.start)) {
      issues.push({ path: ['statusPage', 'maintenance', i, 'end'], message: 'must be after start' });
    }
  });
  list(cfg.services).forEach((s, i) =>
    strings(s.chains).forEach((c, j) => {
      if (!chainIds.has(c)) issues.push({ path: ['services', i, 'chains', j], message: `unknown chain "${c}"` });
    }),
  );
  issues.push(...sloReferenceIssues(cfg.slos, providerIds, new Set(list(cfg.services).map((x) => String(x.id)))));
  issues.push(...drillCrossReferenceIssues(cfg));
  issues.push(...outcomeOverrideIssues(cfg.outcomes, providerIds));
  return issues;
}
