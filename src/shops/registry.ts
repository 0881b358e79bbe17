import { type FSWatcher, readdirSync, readFileSync, watch } from 'node:fs';
import { join } from 'node:path';
import { log } from '../log.ts';
import { isShopFile, parseShopFile, type Shop, ShopFileError } from './shop-file.ts';

/** How often the folder is read again, besides `fs.watch` (which misses changes on some file systems). */
export const RESCAN_EVERY_MS = 5_000;
/** Changes are read this long after the last event: an editor's save is several events. */
const SETTLE_MS = 200;

/** A shop file that is not served as it is, and why; the shop's last good version may still be. */
export interface Refusal {
  file: string;
  reason: string;
}

export interface ShopStatus {
  id: string;
  file: string;
  phoneNumberId?: string;
  /** "serving": the file as it is; "stale": its last good version, the file being refused now. */
  state: 'serving' | 'stale';
}

export interface ShopRegistryOptions {
  /**
   * Checks what the file cannot say about itself (its secrets are set): a reason to refuse it,
   * naming the field, or undefined.
   */
  check?: (shop: Shop) => string | undefined;
  /** Told of every refusal (counted in the metrics). */
  onRefused?: (refusal: Refusal) => void;
}

/**
 * The shops a deployment serves: answers which shop owns a WhatsApp number and which shop an id
 * is. Built from a folder (`SHOPS_DIR`, one file per shop, read again whenever it changes) or from
 * the single-shop set-up. Looking a shop up is a map read: nothing on a message's path grows with
 * the number of shops.
 *
 * @example
 * const shops = ShopRegistry.fromFolder('shops');
 * shops.shopFor(metadata.phone_number_id)?.id; // 'el-bigote'
 */
export class ShopRegistry {
  #byId = new Map<string, Shop>();
  #byNumber = new Map<string, Shop>();
  #stale = new Set<string>();
  #refused: Refusal[] = [];
  /** The last version of each file that was served, by file: kept serving while the file is refused. */
  readonly #lastGood = new Map<string, Shop>();
  /** The text each last good version was read from: an unchanged file keeps its shop object. */
  readonly #lastText = new Map<string, string>();
  readonly #options: ShopRegistryOptions;
  readonly #folder?: string;
  /** The text of each file read in the current reload. */
  readonly #texts = new Map<string, string>();
  readonly #listeners = new Set<() => void>();
  #watcher?: FSWatcher;
  #rescan?: NodeJS.Timeout;
  #settle?: NodeJS.Timeout;

  private constructor(options: ShopRegistryOptions & { folder?: string }) {
    this.#options = options;
    this.#folder = options.folder;
  }

  /** One shop, fixed for the life of the process (SHOP_CONFIG, or a test's config). */
  static single(shop: Shop): ShopRegistry {
    const registry = new ShopRegistry({});
    registry.#publish([shop], new Set(), []);
    return registry;
  }

  /** The shops of a folder, read now; `watch()` keeps them in step with it. */
  static fromFolder(folder: string, options: ShopRegistryOptions = {}): ShopRegistry {
    const registry = new ShopRegistry({ ...options, folder });
    registry.reload();
    return registry;
  }

  shop(id: string): Shop | undefined {
    return this.#byId.get(id);
  }

  /** The shop owning a business number id, or undefined: its messages are dropped and counted. */
  shopFor(phoneNumberId: string | undefined): Shop | undefined {
    return phoneNumberId === undefined ? undefined : this.#byNumber.get(phoneNumberId);
  }

  list(): Shop[] {
    return [...this.#byId.values()];
  }

  /** What `/readyz` and `GET /shops` report. */
  status(): { shops: ShopStatus[]; refused: Refusal[] } {
    return {
      shops: this.list().map((shop) => ({
        id: shop.id,
        file: shop.file,
        ...(shop.whatsapp && { phoneNumberId: shop.whatsapp.phoneNumberId }),
        state: this.#stale.has(shop.file) ? 'stale' : 'serving',
      })),
      refused: [...this.#refused],
    };
  }

  /**
   * Reads the folder again: new files are served, changed ones replace their shop, removed ones
   * stop being served. A file that does not read is refused and its last good version kept.
   */
  reload(): void {
    if (!this.#folder) return;
    let names: string[];
    try {
      names = readdirSync(this.#folder).filter(isShopFile).sort();
    } catch (error) {
      // The folder itself is gone or unreadable: keep serving what was read, and say so.
      log.error({ event: 'shops.folder_unreadable', folder: this.#folder, error: String(error) });
      return;
    }
    const refused: Refusal[] = [];
    const stale = new Set<string>();
    const candidates: Shop[] = [];
    this.#texts.clear();
    for (const name of names) {
      const file = join(this.#folder, name);
      try {
        const text = readText(file);
        const unchanged = this.#lastText.get(file) === text ? this.#lastGood.get(file) : undefined;
        const shop = unchanged ?? parseShopFile(text, file);
        this.#texts.set(file, text);
        const problem = this.#options.check?.(shop);
        if (problem) throw new ShopFileError(`The shop file ${file} is refused: ${problem}`);
        candidates.push(shop);
      } catch (error) {
        if (!(error instanceof ShopFileError)) throw error;
        refused.push({ file, reason: error.message });
        const lastGood = this.#lastGood.get(file);
        if (lastGood) {
          candidates.push(lastGood);
          stale.add(file);
        }
      }
    }
    this.#publish(this.#withoutClashes(candidates, refused, stale), stale, refused);
  }

  /** Keeps the folder watched (fs.watch, and a rescan every few seconds in case an event is missed). */
  watch(): this {
    if (!this.#folder || this.#rescan) return this;
    const soon = () => {
      clearTimeout(this.#settle);
      this.#settle = setTimeout(() => this.#reloadSafely(), SETTLE_MS);
      this.#settle.unref();
    };
    try {
      this.#watcher = watch(this.#folder, soon);
      this.#watcher.on('error', (error) => log.warn({ event: 'shops.watch_failed', error: String(error) }));
    } catch (error) {
      log.warn({ event: 'shops.watch_failed', error: String(error) }, 'watching the shops folder failed; rescanning');
    }
    this.#rescan = setInterval(() => this.#reloadSafely(), RESCAN_EVERY_MS);
    this.#rescan.unref();
    return this;
  }

  /** Calls `listener` after every reload; returns the function that stops it. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  stop(): void {
    this.#watcher?.close();
    clearInterval(this.#rescan);
    clearTimeout(this.#settle);
    this.#rescan = undefined;
  }

  #reloadSafely() {
    try {
      this.reload();
    } catch (error) {
      log.error({ event: 'shops.reload_failed', error: String(error) }, 'reading the shops folder failed');
    }
  }

  /**
   * Two files claiming one id or one number: the one already serving it keeps it (else the first
   * by file name); the other is refused with a message naming both files and the field.
   */
  #withoutClashes(candidates: Shop[], refused: Refusal[], stale: Set<string>): Shop[] {
    const kept: Shop[] = [];
    const ids = new Map<string, Shop>();
    const numbers = new Map<string, Shop>();
    const incumbentFirst = [...candidates].sort(
      (a, b) => Number(this.#servedAsIs(b)) - Number(this.#servedAsIs(a)) || a.file.localeCompare(b.file),
    );
    for (const shop of incumbentFirst) {
      const number = shop.whatsapp?.phoneNumberId;
      const sameId = ids.get(shop.id);
      const sameNumber = number === undefined ? undefined : numbers.get(number);
      const clash = sameId
        ? { other: sameId, field: `id "${shop.id}"` }
        : sameNumber
          ? { other: sameNumber, field: `whatsapp.phoneNumberId "${number}"` }
          : undefined;
      if (clash) {
        refused.push({
          file: shop.file,
          reason: `The shop file ${shop.file} is refused: its ${clash.field} is already claimed by ${clash.other.file}`,
        });
        stale.delete(shop.file);
        continue;
      }
      ids.set(shop.id, shop);
      if (number !== undefined) numbers.set(number, shop);
      kept.push(shop);
    }
    return kept;
  }

  #servedAsIs(shop: Shop): boolean {
    return this.#byId.get(shop.id)?.file === shop.file;
  }

  #publish(shops: Shop[], stale: Set<string>, refused: Refusal[]) {
    const before = this.#byId;
    this.#byId = new Map(shops.map((shop) => [shop.id, shop]));
    this.#byNumber = new Map(
      shops.flatMap((shop) => (shop.whatsapp ? [[shop.whatsapp.phoneNumberId, shop] as const] : [])),
    );
    this.#stale = stale;
    for (const shop of shops) {
      if (stale.has(shop.file)) continue;
      this.#lastGood.set(shop.file, shop);
      const text = this.#texts.get(shop.file);
      if (text !== undefined) this.#lastText.set(shop.file, text);
    }
    const served = new Set(shops.map((shop) => shop.file));
    for (const file of this.#lastGood.keys()) {
      if (served.has(file)) continue;
      this.#lastGood.delete(file);
      this.#lastText.delete(file);
    }
    const newlyRefused = refused.filter(
      (refusal) => !this.#refused.some((r) => r.file === refusal.file && r.reason === refusal.reason),
    );
    this.#refused = refused;
    for (const refusal of newlyRefused) {
      log.error({ event: 'shops.file_refused', file: refusal.file, shop: undefined }, refusal.reason);
      this.#options.onRefused?.(refusal);
    }
    for (const shop of shops) {
      const previous = before.get(shop.id);
      if (!previous) log.info({ event: 'shops.added', shop: shop.id, file: shop.file }, `serving shop ${shop.id}`);
      else if (previous !== shop && !stale.has(shop.file)) {
        log.info({ event: 'shops.changed', shop: shop.id, file: shop.file }, `shop ${shop.id} reloaded`);
      }
    }
    for (const id of before.keys()) {
      if (!this.#byId.has(id)) log.info({ event: 'shops.removed', shop: id }, `shop ${id} no longer served`);
    }
    for (const listener of this.#listeners) listener();
  }
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new ShopFileError(`Cannot read the shop file ${file}: ${(error as Error).message}`);
  }
}
