/**
 * The App Engine store: Larder's caches in App Engine's memcache service (the bundled services of the
 * Java 17 and 21 runtimes), shared by every instance of the application. {@link
 * dev.larder.appengine.AppEngineStoreFactory} makes the stores; {@code -Dlarder.store=appengine} selects
 * it without code. What the service cannot do (list keys, delete conditionally, expire to the
 * millisecond, answer threads it did not make) is made up for in {@code AppEngineStore} and
 * {@code KeyIndex}.
 */
package dev.larder.appengine;
