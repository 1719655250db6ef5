"""Outlet spiders: one file per outlet (`scrapy list` shows their names)."""
