/**
 * Time and expiry: the {@code Clock} deadlines are set and checked against, and the {@code ExpiryCalculator}
 * that turns an {@code ExpiryPolicy}'s durations into per-entry deadlines (creation, update, access).
 */
package dev.larder.expiry;
