"""Replay: the archive as a source. Responses come from WARC/ARC/WACZ files, never the network."""
