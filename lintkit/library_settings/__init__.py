"""Configuration keys that libraries read by name: settings modules and dicts, URL query keys, driver keywords given through configuration."""
