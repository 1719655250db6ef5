"""Article extraction: body text via trafilatura, images, and the Chinese rules of crawler.zh.

``EXTRACTOR_VERSION`` is stored with every article; bump it whenever output changes, so
re-extraction from the archive can tell old results from new ones.
"""

EXTRACTOR_VERSION = "2"
