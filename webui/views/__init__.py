"""The blueprints: each page and its JSON twin live in the same module."""
