// The client's own breaker: drops a provider after `threshold` consecutive failed attempts, without waiting
// for lifeline to notice. It closes again when a trial request succeeds after the cool-down (half-open),
// or when the route catches up (a newer version that holds the provider `down`: the route excludes it now).

interface State {
  failures: number;
  openedAt?: number;
  openedAtVersion?: number;
}

export class LocalBreaker {
  private readonly states = new Map<string, State>();
  constructor(
    private readonly threshold: number,
    private readonly coolDownMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  private state(p: string): State {
    let s = this.states.get(p);
    if (!s) this.states.set(p, (s = { failures: 0 }));
    return s;
  }

  success(p: string): void {
    this.states.set(p, { failures: 0 });
  }

  failure(p: string, routeVersion: number): void {
    const s = this.state(p);
    s.failures += 1;
    // A failed trial re-opens at once and restarts the cool-down.
    if (s.failures >= this.threshold || s.openedAt !== undefined) {
      s.openedAt = this.now();
      s.openedAtVersion = routeVersion;
    }
  }

  /** Open and still cooling down: no request goes there. */
  isOpen(p: string): boolean {
    const s = this.states.get(p);
    return s?.openedAt !== undefined && this.now() - s.openedAt < this.coolDownMs;
  }

  /** Cooled down: only trial requests go there until one succeeds. */
  isHalfOpen(p: string): boolean {
    const s = this.states.get(p);
    return s?.openedAt !== undefined && this.now() - s.openedAt >= this.coolDownMs;
  }

  /** A newer route that holds the provider down supersedes the local opinion. */
  routeChanged(version: number, down: string[]): void {
    for (const p of down) {
      const s = this.states.get(p);
      if (s?.openedAt !== undefined && version > (s.openedAtVersion ?? -1)) this.states.delete(p);
    }
  }

  open(): string[] {
    return [...this.states.keys()].filter((p) => this.isOpen(p));
  }
}
