"""Loaders: bytes of a policy document → an immutable, structured record."""
