"""The benchmark's own tools (`flask bench`): a synthetic region at scale. Never in production."""
