"""The full-text index over the archive and every search feature; the only place Whoosh and jieba live."""
