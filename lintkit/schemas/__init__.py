"""Library schemas: the declarative facts, their validation, loading, caches and the registry that indexes them."""
