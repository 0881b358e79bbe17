import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO_DIR } from './record.ts';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Where CPU time went, as a share of the busy (non-idle) time, by area of code. */
export interface CpuBreakdown {
  busyMs: number;
  byArea: { area: string; ms: number; share: number }[];
  topFunctions: { fn: string; ms: number; share: number }[];
}

/**
 * Sums the self time of every sample of the V8 CPU profiles (`node --cpu-prof`) in a directory by
 * area: a package in node_modules, a folder of cita (src/engine, adapters/redis...), Node's own
 * internals, garbage collection. Idle time is left out.
 */
export function cpuBreakdown(dir: string): CpuBreakdown {
  const areas = new Map<string, number>();
  const functions = new Map<string, number>();
  let busy = 0;
  for (const file of readdirSync(dir).filter((name) => name.endsWith('.cpuprofile'))) {
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
    const byId = new Map(profile.nodes.map((node) => [node.id, node]));
    profile.samples.forEach((id, i) => {
      const node = byId.get(id);
      const ms = (profile.timeDeltas[i] ?? 0) / 1000;
      if (!node || node.callFrame.functionName === '(idle)') return;
      busy += ms;
      const area = areaOf(node.callFrame);
      areas.set(area, (areas.get(area) ?? 0) + ms);
      const fn = `${node.callFrame.functionName || '(anonymous)'} ${area}`;
      functions.set(fn, (functions.get(fn) ?? 0) + ms);
    });
  }
  const rank = (map: Map<string, number>, count: number) =>
    [...map]
      .sort(([, a], [, b]) => b - a)
      .slice(0, count)
      .map(([name, ms]) => ({ name, ms: Math.round(ms), share: Math.round((ms / busy) * 1000) / 1000 }));
  return {
    busyMs: Math.round(busy),
    byArea: rank(areas, 15).map(({ name, ...rest }) => ({ area: name, ...rest })),
    topFunctions: rank(functions, 15).map(({ name, ...rest }) => ({ fn: name, ...rest })),
  };
}

function areaOf({ functionName, url }: ProfileNode['callFrame']): string {
  if (!url) return functionName.startsWith('(') ? functionName : 'native (V8 builtins, C++)';
  if (url.startsWith('node:internal/deps/')) return `node: ${url.split('/')[2]}`;
  if (url.startsWith('node:')) return `node: ${url.replace(/^node:(internal\/)?/, '').split('/')[0]}`;
  const path = url.startsWith('file://') ? relative(REPO_DIR, new URL(url).pathname) : url;
  const inModules = path.split('node_modules/').at(-1)!;
  if (inModules !== path) {
    const parts = inModules.split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  const parts = path.split('/');
  return parts.length > 2 ? `${parts[0]}/${parts[1]}` : parts[0];
}
