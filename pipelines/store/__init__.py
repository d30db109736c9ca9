"""Store: writes, standings read from and kept in the store, snapshots, the records' codec, and store migration."""

__all__ = ["codec", "migrate_store", "persist", "plans", "snapshot", "standing_cache", "standings"]
