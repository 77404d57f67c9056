// A short in-activity retry for publishers (the routing activity never fails on a publisher).
/** Two quick tries: a target that is briefly down still gets this version. */
export async function twice(fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch {
    await new Promise((r) => setTimeout(r, 500));
    await fn();
  }
}
