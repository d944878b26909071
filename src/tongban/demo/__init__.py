"""The demo city 示范市: seeded by ``tongban demo`` (idempotent)."""
