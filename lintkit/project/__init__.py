"""Facts about the checked project as a whole: the library versions it pins, and the index of its modules (constants, client factories, classes) other files consult."""
