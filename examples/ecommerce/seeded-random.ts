/** A deterministic source of random values for building seed data. */
export interface SeededRandom {
  /** A float in [0, 1). */
  float(): number;
  /** An integer in [min, max], both inclusive. */
  int(min: number, max: number): number;
  /** One element of a non-empty list. */
  pick<T>(values: readonly T[]): T;
  /** One value, each chosen with probability proportional to its weight. */
  weighted<T>(choices: readonly (readonly [value: T, weight: number])[]): T;
}

/** The mulberry32 PRNG: returns a function yielding floats in [0, 1) determined by `seed`. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A {@link SeededRandom} over {@link mulberry32}; the same seed always yields the same sequence. */
export function createSeededRandom(seed: number): SeededRandom {
  const float = mulberry32(seed);
  const int = (min: number, max: number): number => min + Math.floor(float() * (max - min + 1));
  return {
    float,
    int,
    pick<T>(values: readonly T[]): T {
      if (values.length === 0) throw new Error('pick() from an empty list');
      return values[int(0, values.length - 1)]!;
    },
    weighted<T>(choices: readonly (readonly [value: T, weight: number])[]): T {
      const last = choices[choices.length - 1];
      if (last === undefined) throw new Error('weighted() from an empty list');
      let roll = float() * choices.reduce((sum, [, weight]) => sum + weight, 0);
      for (const [value, weight] of choices) {
        roll -= weight;
        if (roll < 0) return value;
      }
      return last[0];
    },
  };
}
