"""lintkit: catch the silent misconfigurations that let long-lived network connections die."""

__version__ = "0.1.0"
