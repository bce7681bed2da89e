/**
 * Cache entry listeners: their registrations with filters, and the {@code EventDispatcher} that delivers
 * the events an operation recorded once the store has committed it, synchronously or on the manager's
 * executor.
 */
package dev.larder.event;
