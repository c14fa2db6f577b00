/** ELECTRA's discriminator: BERT's embeddings in embedding_size, the embeddings projection, BERT's layers. */
package dev.exprbert.model.electra;
