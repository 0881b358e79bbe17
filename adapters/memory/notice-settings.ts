import type { NoticeSettings } from '../../src/engine/ports.ts';

/** The embedded notice settings: which staff phones muted their notices, in this process. */
export class MemoryNoticeSettings implements NoticeSettings {
  readonly #muted = new Set<string>();

  async isMuted(phone: string): Promise<boolean> {
    return this.#muted.has(phone);
  }

  async setMuted(phone: string, muted: boolean): Promise<void> {
    if (muted) this.#muted.add(phone);
    else this.#muted.delete(phone);
  }
}
