"""The one error type of :mod:`crawler.discovery`."""


class DiscoveryError(ValueError):
    """A sitemap, feed or argument that cannot be used; the message names the input."""
