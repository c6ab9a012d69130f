"""`python -m lintkit` and the `lintkit` command (`run`)."""

import gc


def run() -> None:
    """Import the command line front end with the cyclic garbage collector paused: importing
    creates many long-lived objects and little garbage, and the collector's passes over them
    cost ~10% of the import time.  Those objects (modules, classes, functions) then move to
    the collector's permanent generation (`gc.freeze`): they live for the whole run, and
    otherwise the first collections after the import walk them all again (a ~3-5 ms pass of
    the older generation while the schemas load, before any file is read).  Then run it
    (cli.console_main, which never returns)."""
    gc.disable()
    try:
        from .frontends.cli import console_main
    finally:
        gc.freeze()
        gc.enable()
    console_main()


if __name__ == "__main__":
    run()
