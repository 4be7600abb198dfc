"""Turn the documents users have into clean, durable records, one per district summary."""

from archive.records import Record
from archive.store import Archive, StoreBusy, StoreError

__all__ = ["Archive", "Record", "StoreBusy", "StoreError"]
