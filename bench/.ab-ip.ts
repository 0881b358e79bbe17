// profiling driver: the in-process CPU run only
import { loadShopConfig } from '/work/wt/cost/config/load.ts';
import { log } from '/work/wt/cost/src/log.ts';
import { BENCH_SHOP_CONFIG } from '/work/wt/cost/bench/support/server.ts';
import { inProcessBenchmark } from '/work/wt/cost/bench/in-process.ts';
log.level = 'warn';
const r = await inProcessBenchmark({ customers: Number(process.env.N ?? 200), concurrency: 50, conversations: Number(process.env.C ?? 50) }, 'x');
console.log(JSON.stringify(r.figures));
process.exit(0);
