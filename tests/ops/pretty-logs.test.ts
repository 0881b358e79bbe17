import { describe, expect, it } from 'vitest';
import { wantsPrettyLogs } from '../../src/log.ts';

describe('how the logs look', () => {
  it('is readable lines for a person at a terminal while developing', () => {
    expect(wantsPrettyLogs({}, true)).toBe(true);
    expect(wantsPrettyLogs({ NODE_ENV: 'development' }, true)).toBe(true);
  });

  it('is JSON lines in production, and whenever standard output is a pipe or a file', () => {
    expect(wantsPrettyLogs({ NODE_ENV: 'production' }, true)).toBe(false);
    expect(wantsPrettyLogs({}, false)).toBe(false);
    expect(wantsPrettyLogs({}, undefined)).toBe(false);
  });
});
