"""Reads, with the joins and prefetches each page needs so query counts stay constant."""
