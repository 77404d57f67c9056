// Public surface of the simulated AI providers. The rest of lifeline (demo, tests) imports from
// here only, so files inside sim/ can be reorganised freely.
export { SIM_FAULT_MODES, MAX_SIM_LATENCY_MS, HEALTHY, simFaultSchema, parseSimFault } from './faults';
export type { SimFault, SimFaultMode } from './faults';
export * from './responses';
export { routeProviderRequest, presentedKey } from './router';
export type { SimProviderConfig, SimRequest, RouteDecision } from './router';
export { startSimulator } from './server';
export type { Simulator, SimulatorOptions, SimStats } from './server';
