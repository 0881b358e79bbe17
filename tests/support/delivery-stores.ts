import { createRedisAdapters } from '../../adapters/redis/index.ts';
import { RedisDeliveryProgress } from '../../adapters/redis/outbox.ts';
import { createSqliteAdapters } from '../../adapters/sqlite/index.ts';
import { SqliteDeliveryProgress } from '../../adapters/sqlite/outbox.ts';
import type { DeliveryProgress } from '../../adapters/whatsapp/delivery-progress.ts';
import { DEFAULT_SHOP_ID } from '../../config/shop-id.ts';
import type { redisRun } from '../redis/implementations.ts';
import { tempDataDir } from './cita.ts';

export interface DeliveryStore {
  adapters: Record<string, unknown>;
  progress: DeliveryProgress;
  close(): Promise<void>;
}

/** The stores as `npm start` builds them, with their delivery records: SQLite, and Redis when it runs. */
export function deliveryStores(redis: Awaited<ReturnType<typeof redisRun>>): Record<string, () => DeliveryStore> {
  return {
    sqlite: () => {
      const sqlite = createSqliteAdapters({ dataDir: tempDataDir() });
      return {
        adapters: sqlite.adapters,
        progress: new SqliteDeliveryProgress(sqlite.database, { shop: DEFAULT_SHOP_ID }),
        close: sqlite.close,
      };
    },
    ...(redis && {
      redis: () => {
        const prefix = redis.prefix();
        const store = createRedisAdapters({ url: redis.redis.url, prefix });
        return {
          adapters: { ...store.adapters, calendar: store.calendar },
          progress: new RedisDeliveryProgress(store.redis, { prefix, shop: DEFAULT_SHOP_ID }),
          close: store.close,
        };
      },
    }),
  };
}
