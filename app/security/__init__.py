"""Token verification and development tokens (no FastAPI here: ``app/auth.py`` wires them)."""
