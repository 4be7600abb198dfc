"""Turn the documents users have into clean, durable records, one per district summary."""

from archive.records import Record
from archive.store import Archive, StoreError

__all__ = ["Archive", "Record", "StoreError"]
