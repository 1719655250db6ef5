"""Spiders of the benchmark's synthetic outlet (``-s SPIDER_MODULES=spiders,bench.spiders``)."""
