/** Dimensions of every stored embedding (document_chunks.embedding is vector(1536)). */
export const EMBEDDING_DIMENSIONS = 1536;

export type EmbeddingTask = "RETRIEVAL_DOCUMENT" | "RETRIEVAL_QUERY" | "QUESTION_ANSWERING";
