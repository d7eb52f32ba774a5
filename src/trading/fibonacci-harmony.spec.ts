import { levelHarmony, moveAlignment } from './fibonacci-harmony';

describe('Fibonacci harmony heuristic', () => {
  const swing = { low: 100, high: 200 };

  it('scores 1 on a retracement level, 0 midway between levels, linearly between', () => {
    expect(levelHarmony(161.8, swing)).toBe(1);
    expect(levelHarmony(150, swing)).toBe(1);
    // 0.441 is 0.059 from both 0.382 and 0.5: half the tolerance.
    expect(levelHarmony(144.1, swing)).toBeCloseTo(0.5, 3);
    expect(levelHarmony(10, swing)).toBe(0);
    expect(levelHarmony(150, { low: 100, high: 100 })).toBeNull();
    expect(levelHarmony(150, undefined)).toBeNull();
  });

  it('scores the entry-to-exit move against Fibonacci extensions of the swing', () => {
    expect(moveAlignment(100, 261.8, swing)).toBe(1);
    expect(moveAlignment(200, 138.2, swing)).toBe(1);
    expect(moveAlignment(100, 180, swing)).toBe(0); // 0.8 swings: 0.182 from 0.618
    expect(moveAlignment(100, 170, swing)).toBeCloseTo(1 - 0.082 / 0.118, 4);
    expect(moveAlignment(100, 110, { low: 1, high: 1 })).toBeNull();
  });
});
