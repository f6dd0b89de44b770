/** One embedding vector, decoded from floats or base64 into a `Float32Array`. */
export interface Embedding {
  object: 'embedding';
  index: number;
  embedding: Float32Array;
}

/** The result of `embeddings.create`, whatever the provider. */
export interface EmbeddingResult {
  object: 'list';
  data: Embedding[];
  model: string;
  usage: {
    prompt_tokens: number;
    total_tokens: number;
    /** Model compute the server billed, in ms (an aiaas/server extension; absent elsewhere). */
    compute_ms?: number;
  };
}
