"""The web UI, JSON API and command line over the indexer's search API."""
