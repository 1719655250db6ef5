"""Project commands for the `scrapy` tool."""
