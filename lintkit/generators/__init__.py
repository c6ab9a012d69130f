"""What lintkit generates: docs pages, the README's library list, docs/libraries.md, and schema drafts from installed libraries or releases."""
