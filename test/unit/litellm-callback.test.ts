// integrations/litellm/lifeline_routes.py, the LiteLLM callback that follows lifeline's route, without a
// proxy: its routing decision for a given route (python3 runs it; LiteLLM itself is not needed here — the
// real proxy runs it in test/integration/litellm-proxy.test.ts).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const dir = join(__dirname, '..', '..', 'integrations', 'litellm');

/** The deployment ids the callback keeps, per case, over `n` routing decisions each. */
function decide(cases: { route: unknown; group?: string }[], n = 200): string[][] {
  const script = `
import asyncio, json, sys, types
sys.path.insert(0, sys.argv[1])
import lifeline_routes as m
cases = json.loads(sys.argv[2])
def dep(i, chain, provider):
    return {"model_info": {"id": i, "lifeline_chain": chain, "lifeline_provider": provider}}
out = []
for c in cases:
    h = m.LifelineRoutes()
    h.followers["chat"] = types.SimpleNamespace(route=c["route"])
    chain = c.get("group", "chat")
    deps = [dep("dep-openai", chain, "openai"), dep("dep-anthropic", chain, "anthropic")]
    seen = set()
    for _ in range(${n}):
        for d in asyncio.run(h.async_filter_deployments("chat", deps, None)):
            seen.add(d["model_info"]["id"])
    out.append(sorted(seen))
print(json.dumps(out))
`;
  return JSON.parse(execFileSync('python3', ['-c', script, dir, JSON.stringify(cases)], { encoding: 'utf8' }));
}

test('keeps the deployments the route weights, by weight; LiteLLM chooses when the route leaves none', () => {
  const [primary, failedOver, split, emergency, down, other, unknown] = decide([
    { route: { weights: { openai: 100 } } },
    { route: { weights: { anthropic: 100 } } },
    { route: { weights: { openai: 50, anthropic: 50 } } },
    { route: { weights: {}, mode: 'emergency' } },
    { route: { weights: { openai: 90, anthropic: 10 }, down: ['openai'] } },
    { route: { weights: { openai: 100 } }, group: 'other-chain' }, // no reader for that chain: LiteLLM decides
    { route: null }, // no route read yet
  ]);
  expect(primary).toEqual(['dep-openai']);
  expect(failedOver).toEqual(['dep-anthropic']);
  expect(split).toEqual(['dep-anthropic', 'dep-openai']);
  expect(emergency).toEqual(['dep-anthropic', 'dep-openai']);
  expect(down).toEqual(['dep-anthropic']);
  expect(other).toEqual(['dep-anthropic', 'dep-openai']);
  expect(unknown).toEqual(['dep-anthropic', 'dep-openai']);
});
