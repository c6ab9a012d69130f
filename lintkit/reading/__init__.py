"""Reading source: bytes to text, the tolerant parse, fast tree traversal, noqa comments, the import prefilter and which files a run checks."""
