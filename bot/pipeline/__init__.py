"""ref -> playlist -> features -> clustering -> rendered result, with the cache: the
runner strings the layers together; compute is its pure CPU part."""
