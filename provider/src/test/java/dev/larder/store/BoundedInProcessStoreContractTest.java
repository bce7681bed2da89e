package dev.larder.store;

/**
 * The store contract on the in-process store under a size bound ({@link BoundedTable}), one the
 * contract's entries never reach: a bounded store must answer exactly as the unbounded one until it has
 * to evict.
 */
class BoundedInProcessStoreContractTest extends StoreContract {

  @Override
  @SuppressWarnings({"unchecked", "rawtypes"})
  protected <K, V> Store<K, V> open(String cacheName, Class<K> keyType, Class<V> valueType) {
    Store<K, V> store = InProcessStore.FACTORY.create(new StoreContext<>("contract", cacheName, 1_000_000, -1, null,
        (StoreContext.StoreListener) InProcessStoreContractTest.NOBODY, getClass().getClassLoader(), keyType, valueType));
    store.unwrap(BoundedTable.class); // throws unless the bounded table holds the entries
    return store;
  }

  @Override
  protected boolean shared() {
    return false;
  }
}
