"""The store's database: backups, restore, reads of the store, make-safe, upgrade scripts."""
