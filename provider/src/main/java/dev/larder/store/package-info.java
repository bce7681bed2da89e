/**
 * The storage SPI: {@code Store}, the one interface every backend implements (entries with deadlines,
 * atomic per-key compute, batches, listing), chosen by name through {@code StoreProvider}. Stores know
 * nothing of events, statistics or management. Here too: the in-process store (an unbounded table, or a
 * bounded one with Larder's own W-TinyLFU policy), the near tier (Caffeine) and the failure policy, both
 * decorators of a remote store.
 */
package dev.larder.store;
