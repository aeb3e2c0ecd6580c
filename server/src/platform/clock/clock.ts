/** The one clock of the product; tests inject a fixed or stepping clock instead of patching Date. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export function fixedClock(start: Date | string, stepMs = 0): Clock & { set(d: Date | string): void } {
  let t = new Date(start).getTime();
  return {
    now() {
      const d = new Date(t);
      t += stepMs;
      return d;
    },
    set(d: Date | string) {
      t = new Date(d).getTime();
    },
  };
}
