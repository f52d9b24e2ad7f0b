"""Pure rules: tickets, states, release names, naming templates, path safety. No I/O."""
