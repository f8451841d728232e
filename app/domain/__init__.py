"""Everything the service knows. Nothing below this package imports FastAPI."""
