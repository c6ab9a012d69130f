"""The analysis of one file: which expressions are library objects, the events the rules consume, values read from source."""
