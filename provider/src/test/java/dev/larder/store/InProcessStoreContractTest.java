package dev.larder.store;

/** The store contract on the in-process store. */
class InProcessStoreContractTest extends StoreContract {

  /** Tells nobody: the contract checks what the store answers, not what it sweeps. */
  static final StoreContext.StoreListener<Object, Object> NOBODY = new StoreContext.StoreListener<>() {
    @Override
    public void expired(Object key, StoreEntry<Object> entry) {
    }

    @Override
    public void evicted(Object key, StoreEntry<Object> entry) {
    }
  };

  @Override
  @SuppressWarnings({"unchecked", "rawtypes"})
  protected <K, V> Store<K, V> open(String cacheName, Class<K> keyType, Class<V> valueType) {
    return InProcessStore.FACTORY.create(new StoreContext<>("contract", cacheName, -1, -1, null,
        (StoreContext.StoreListener) NOBODY, getClass().getClassLoader(), keyType, valueType));
  }

  @Override
  protected boolean shared() {
    return false;
  }
}
