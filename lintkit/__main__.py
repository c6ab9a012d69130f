from .frontends.cli import console_main

console_main()
