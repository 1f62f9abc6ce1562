"""The organisation tree and the import of its members."""
