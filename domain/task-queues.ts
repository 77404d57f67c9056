// Task queue names derived from the configured one. Probe loops (the monitors' long-running watch
// activities) run on their own queue with their own slot budget, so they never hold the slots that
// incident, notification, diagnosis and routing activities need. Pure: workflows and the worker share it.

export function probeTaskQueue(taskQueue: string): string {
  return `${taskQueue}-probes`;
}
