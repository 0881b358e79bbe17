import { type ConversationStore, StoredConversation } from '../../src/engine/ports.ts';

/**
 * The embedded conversation store. It keeps each conversation as JSON text, as Redis does, so a
 * snapshot that would not survive serialisation fails here too.
 */
export class MemoryConversationStore implements ConversationStore {
  readonly #saved = new Map<string, { json: string; version: number }>();

  async load(phone: string) {
    const saved = this.#saved.get(phone);
    if (!saved) return { version: 0 };
    return { conversation: StoredConversation.parse(JSON.parse(saved.json)), version: saved.version };
  }

  async save(phone: string, conversation: StoredConversation, version: number): Promise<boolean> {
    const current = this.#saved.get(phone)?.version ?? 0;
    if (current !== version) return false;
    this.#saved.set(phone, { json: JSON.stringify(conversation), version: version + 1 });
    return true;
  }
}
