import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Full garbage collection on demand (`--expose-gc` set at run time, so `npm run bench` needs no flag). */
export function collector(): () => void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  return () => {
    gc();
    gc();
  };
}

/** Lets timers, file writes and log streams finish before the heap is measured. */
export const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

/** V8 heap used and resident set size, in bytes, after a full collection. */
export async function memoryAfterGc(gc: () => void): Promise<{ heapUsed: number; rss: number }> {
  await settle();
  gc();
  const { heapUsed, rss } = process.memoryUsage();
  return { heapUsed, rss };
}
