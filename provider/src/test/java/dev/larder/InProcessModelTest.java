package dev.larder;

/** The JCache model properties on the in-process store. */
class InProcessModelTest extends JCacheModelProperties {

  @Override
  protected dev.larder.store.StoreFactory storeFactory() {
    return null;
  }
}
