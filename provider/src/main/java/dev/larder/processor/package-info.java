/**
 * Entry processors: the {@code MutableEntry} a processor works on ({@code ProcessorEntry}, which records
 * what it did: read, created, updated, removed, loaded) and the result holder of {@code invokeAll}.
 */
package dev.larder.processor;
