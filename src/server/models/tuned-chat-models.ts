import type { InferenceEngine } from '../inference/inference-engine.js';
import type { SequenceDecoder } from '../inference/sequence-decoder.js';
import type { ModelRegistry } from './model-registry.js';
import { isRefChatLike } from './ref-chat-base.js';
import { ReferenceChatModel } from './reference-chat-model.js';

interface LoadedChat {
  tenant: string;
  name: string;
  /** The decoder's own engine key (the deployment's session serves OIP on the isolated lane). */
  decoderKey: string;
  model: Promise<ReferenceChatModel>;
  /** Set once loaded. */
  loaded?: ReferenceChatModel;
}

/**
 * The chat models a tenant may call: ref-chat, and its fine-tunes the tenant deployed (an
 * `ft:ref-chat:…` model, or any served model with ref-chat's graph). A fine-tune's decoder is
 * loaded on first use, next to ref-chat's (decoding runs on the engine's shared lane), and
 * unloaded once its deployment is gone (deleted or replaced), checked on each lookup.
 *
 * @example
 * const chat = await tunedChats.resolve('ft:ref-chat:key_1:poems:1a2b3c4d', 'key_1');
 */
export class TunedChatModels {
  /** By the deployment version's engine key. */
  readonly #loaded = new Map<string, LoadedChat>();

  constructor(
    readonly engine: InferenceEngine & SequenceDecoder,
    readonly registry: ModelRegistry,
    readonly base: ReferenceChatModel,
  ) {}

  /**
   * The chat model `name` names for `tenant`; undefined when the model is served but is not a
   * chat model. Throws the registry's 404 for a model the tenant cannot see.
   */
  async resolve(name: string, tenant: string): Promise<ReferenceChatModel | undefined> {
    if (name === this.base.name) return this.base;
    const entry = this.registry.resolve(name, undefined, tenant);
    if (!isRefChatLike(entry)) return undefined;
    this.#unloadGone();
    let loaded = this.#loaded.get(entry.engineKey);
    if (loaded === undefined) {
      const decoderKey = `${entry.engineKey}/chat`;
      const model = ReferenceChatModel.loadTuned(this.base, name, this.engine, decoderKey, entry.path);
      loaded = { tenant, name, decoderKey, model };
      this.#loaded.set(entry.engineKey, loaded);
      const pending = loaded;
      model.then(
        (chat) => {
          pending.loaded = chat;
        },
        // A failed load is tried again by the next request.
        () => this.#loaded.delete(entry.engineKey),
      );
    }
    return loaded.model;
  }

  /**
   * Unloads the decoders of fine-tunes no longer served under the same deployment, once loaded
   * and generating nothing (a stream that started before the delete finishes first).
   */
  #unloadGone(): void {
    for (const [engineKey, loaded] of this.#loaded) {
      const versions = this.registry.get(loaded.name, loaded.tenant)?.versions ?? [];
      if (versions.some((version) => version.engineKey === engineKey)) continue;
      if (loaded.loaded === undefined || loaded.loaded.generating > 0) continue;
      this.#loaded.delete(engineKey);
      void this.engine.unload(loaded.decoderKey).catch(() => undefined);
    }
  }
}
